using System.Diagnostics;
using Hangar.Testing;

namespace Hangar.Chaos;

/// <summary>
/// A disruption: <c>kill-worker</c>/<c>kill-api</c> (SIGKILL, then a restart in the slot),
/// <c>partition</c> (the worker's database relay holds every byte, then lets them through),
/// <c>terminate</c> (pg_terminate_backend on the worker's connections, again and again),
/// <c>stall</c> (SIGSTOP, then SIGCONT).
/// </summary>
public sealed class Disruption(string kind, FleetProcess victim, List<Affected> affected, Stopwatch clock)
{
    public const string KillWorker = "kill-worker";
    public const string KillApi = "kill-api";
    public const string Partition = "partition";
    public const string Terminate = "terminate";
    public const string Stall = "stall";

    public string Kind => kind;
    public FleetProcess Victim => victim;

    /// <summary>Sessions whose lease the victim held (with work pending) at the disruption.</summary>
    public List<Affected> Affected => affected;

    public Stopwatch Clock => clock;

    /// <summary>When it started (UTC), to line it up with the database's timestamps.</summary>
    public DateTime At { get; } = DateTime.UtcNow - clock.Elapsed;

    public override string ToString() => $"{Kind} {Victim.Name} (pid {Victim.Pid}) holding {Affected.Count} sessions";
}

/// <summary>
/// Every <see cref="ChaosOptions.KillEvery"/> (±25 %) picks a random live process and disrupts it;
/// never the last healthy process of a kind. Watches the sessions each disrupted worker held until
/// each logs its next event.
/// </summary>
public sealed class Disruptor(ChaosOptions options, Fleet fleet, Observer observer, int seed, Action<string> log, string artifacts)
{
    private static readonly TimeSpan RecoveryPatience = TimeSpan.FromMinutes(2);
    private readonly Random _random = new(seed);
    private readonly List<Disruption> _done = [];
    private readonly List<Task> _background = [];

    public IReadOnlyList<Disruption> Disruptions
    {
        get
        {
            lock (_done)
            {
                return [.. _done];
            }
        }
    }

    /// <summary>Times terminated backends were found for a terminate disruption.</summary>
    public int TerminatedConnections;

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var wait = options.KillEvery * (0.75 + (_random.NextDouble() * 0.5));
                await Task.Delay(wait, stop);
                try
                {
                    await DisruptOnceAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log($"disruption failed: {e}");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        Task[] background;
        lock (_background)
        {
            background = [.. _background];
        }
        await Task.WhenAll(background);
    }

    /// <summary>With <see cref="ChaosOptions.Partition"/>, the kinds take turns (partitions first) so a short run sees each.</summary>
    private static readonly string[] Rotation =
        [Disruption.Partition, Disruption.KillApi, Disruption.Stall, Disruption.KillWorker, Disruption.Terminate];

    private int _turn;

    private async Task DisruptOnceAsync()
    {
        var apis = fleet.Live(ProcessKind.Api).Where(p => !p.Disrupted).ToList();
        var workers = fleet.Live(ProcessKind.Worker).Where(p => !p.Disrupted).ToList();
        bool Possible(string kind) => kind == Disruption.KillApi ? apis.Count >= 2 : workers.Count >= 2;
        string? kind;
        if (options.Partition)
        {
            kind = Enumerable.Range(0, Rotation.Length).Select(i => Rotation[(_turn + i) % Rotation.Length]).FirstOrDefault(Possible);
            _turn = kind is null ? _turn : Array.IndexOf(Rotation, kind) + 1;
        }
        else
        {
            var kinds = new[] { Disruption.KillApi, Disruption.KillWorker }.Where(Possible).ToList();
            kind = kinds.Count == 0 ? null : kinds[_random.Next(kinds.Count)];
        }
        switch (kind)
        {
            case null:
                return;
            case Disruption.KillApi:
                {
                    var victim = apis[_random.Next(apis.Count)];
                    var clock = Stopwatch.StartNew();
                    await fleet.KillAndRestartAsync(victim);
                    Record(new Disruption(kind, victim, [], clock));
                    break;
                }
            case Disruption.KillWorker:
                {
                    var victim = workers[_random.Next(workers.Count)];
                    // Held before the kill (another worker may claim one while the kill is under way on a loaded
                    // host), and after it (the dead owner's leases stay in the rows until someone claims them).
                    var before = await observer.HeldByAsync(victim.Owner!);
                    var clock = Stopwatch.StartNew();
                    await fleet.KillAndRestartAsync(victim);
                    var after = await observer.HeldByAsync(victim.Owner!);
                    Watch(new Disruption(kind, victim, [.. after, .. before.Where(b => after.All(a => a.SessionId != b.SessionId))], clock));
                    break;
                }
            default:
                {
                    // Partitions pick the busiest worker: the point is a former owner with work in flight.
                    var held = new Dictionary<FleetProcess, int>();
                    foreach (var worker in workers)
                    {
                        held[worker] = (await observer.HeldByAsync(worker.Owner!)).Count;
                    }
                    var victim = workers.OrderByDescending(w => held[w]).ThenBy(_ => _random.Next()).First();
                    victim.Disrupted = true;
                    lock (_background)
                    {
                        _background.Add(Task.Run(() => PartitionAsync(kind, victim)));
                    }
                    break;
                }
        }
    }

    /// <summary>Cuts the worker off (or stalls it) for <see cref="ChaosOptions.PartitionFor"/>, then lets it go on.</summary>
    private async Task PartitionAsync(string kind, FleetProcess victim)
    {
        var slot = fleet.WorkerSlots[victim.Slot];
        var clock = Stopwatch.StartNew();
        try
        {
            switch (kind)
            {
                case Disruption.Stall:
                    victim.Process.Signal(Signals.Stop);
                    Watch(new Disruption(kind, victim, await observer.HeldByAsync(victim.Owner!), clock));
                    await Task.Delay(options.PartitionFor);
                    break;
                case Disruption.Partition:
                    slot.Proxy!.Partition();
                    Watch(new Disruption(kind, victim, await observer.HeldByAsync(victim.Owner!), clock));
                    await Task.Delay(options.PartitionFor);
                    break;
                case Disruption.Terminate:
                    var affected = await observer.HeldByAsync(victim.Owner!);
                    Watch(new Disruption(kind, victim, affected, clock));
                    while (clock.Elapsed < options.PartitionFor)
                    {
                        Interlocked.Add(ref TerminatedConnections, await observer.TerminateAsync(victim.ApplicationName));
                        await Task.Delay(100);
                    }
                    break;
            }
        }
        catch (Exception e)
        {
            log($"{kind} of {victim.Name} failed: {e.Message}");
        }
        finally
        {
            if (kind == Disruption.Stall && !victim.Killed)
            {
                victim.Process.Signal(Signals.Continue);
            }
            if (kind == Disruption.Partition)
            {
                slot.Proxy!.Heal();
            }
            victim.Disrupted = false;
        }
    }

    private void Record(Disruption disruption)
    {
        lock (_done)
        {
            _done.Add(disruption);
        }
        log($"{disruption} (in {disruption.Clock.Elapsed.TotalSeconds:0.00} s)");
    }

    /// <summary>Polls (every 20 ms) until each affected session logged an event after the disruption.</summary>
    private void Watch(Disruption disruption)
    {
        Record(disruption);
        if (disruption.Affected.Count == 0)
        {
            return;
        }
        lock (_background)
        {
            _background.Add(Task.Run(async () =>
            {
                var waiting = disruption.Affected.ToDictionary(a => a.SessionId);
                var snapshot = disruption.Kind is Disruption.KillWorker ? options.KillEvery : options.PartitionFor / 2;
                var snapshotTaken = false;
                while (waiting.Count > 0 && disruption.Clock.Elapsed < RecoveryPatience)
                {
                    try
                    {
                        if (!snapshotTaken && disruption.Clock.Elapsed > snapshot && waiting.Values.Any(a => a.Takeover is null))
                        {
                            // Nobody took over yet: keep the evidence of why.
                            snapshotTaken = true;
                            var evidence = await observer.SnapshotAsync(waiting.Keys);
                            await File.WriteAllTextAsync(Path.Combine(artifacts, $"slow-takeover-{disruption.Victim.Name}-{disruption.Kind}-{disruption.Clock.Elapsed.TotalSeconds:0.0}s.txt"),
                                $"{disruption} — at {disruption.Clock.Elapsed.TotalSeconds:0.00} s after it, {waiting.Values.Count(a => a.Takeover is null)} sessions not taken over\n{evidence}");
                        }
                        foreach (var (session, (seq, epoch)) in await observer.ProgressAsync(waiting.Keys))
                        {
                            var affected = waiting[session];
                            if (affected.Takeover is null && epoch > affected.Epoch)
                            {
                                affected.Takeover = disruption.Clock.Elapsed;
                            }
                            if (seq > affected.SeqAtDisruption)
                            {
                                affected.NextEvent = disruption.Clock.Elapsed;
                                waiting.Remove(session);
                            }
                        }
                    }
                    catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                    {
                        log($"recovery watch: {e.Message}");
                    }
                    await Task.Delay(20);
                }
            }));
        }
    }
}
