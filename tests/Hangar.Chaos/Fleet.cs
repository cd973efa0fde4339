using System.Net;
using System.Net.Sockets;
using Hangar.FakeModel;
using Hangar.Testing;
using Npgsql;

namespace Hangar.Chaos;

public enum ProcessKind
{
    Api,
    Worker,
}

/// <summary>One process of the fleet: a slot's generation (a killed process is replaced by the next generation).</summary>
public sealed class FleetProcess(ProcessKind kind, int slot, int generation, string applicationName, HangarProcess process)
{
    public ProcessKind Kind => kind;
    public int Slot => slot;
    public int Generation => generation;
    public string Name => $"{(kind == ProcessKind.Api ? "api" : "worker")}{slot}.{generation}";

    /// <summary>The <c>Application Name</c> its database connections carry: how the writer audit names it.</summary>
    public string ApplicationName => applicationName;

    public HangarProcess Process => process;
    public int Pid => process.Pid;

    /// <summary>A worker's lease owner (<c>host:pid:guid</c>), from its start-up line.</summary>
    public string? Owner { get; set; }

    /// <summary>Started and answering (API) or announced (worker); false again once killed.</summary>
    public volatile bool Ready;

    /// <summary>Stalled, partitioned or having its connections killed right now: not a victim for another disruption.</summary>
    public volatile bool Disrupted;

    public bool Killed { get; set; }
}

/// <summary>A place in the fleet: an API port or a worker's database relay, kept across the generations that fill it.</summary>
public sealed class FleetSlot(ProcessKind kind, int index)
{
    public ProcessKind Kind => kind;
    public int Index => index;

    /// <summary>API slots: the port every generation listens on, so clients keep one address list.</summary>
    public int Port { get; set; }

    /// <summary>Worker slots: the relay its connections go through (<see cref="DbProxy"/>).</summary>
    public DbProxy? Proxy { get; set; }

    public FleetProcess? Current { get; set; }

    public int Generations { get; set; }

    public Uri Url => new($"http://127.0.0.1:{Port}");
}

/// <summary>
/// The API and worker processes of a chaos run: real <c>hangar serve --no-workers</c> and
/// <c>hangar worker</c> processes on one PostgreSQL database, the workers' model being the fake.
/// Killed processes are restarted in their slot (same API port; same database relay).
/// </summary>
public sealed class Fleet(ChaosOptions options, string database, FakeMessagesServer model, string apiKey, string tempDirectory, Action<string> log) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<FleetProcess> _all = [];
    private readonly List<Task> _restarts = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<FleetSlot> ApiSlots { get; } = [.. Enumerable.Range(0, options.ApiProcesses).Select(i => new FleetSlot(ProcessKind.Api, i))];

    public IReadOnlyList<FleetSlot> WorkerSlots { get; } = [.. Enumerable.Range(0, options.Workers).Select(i => new FleetSlot(ProcessKind.Worker, i))];

    /// <summary>Every generation ever started.</summary>
    public IReadOnlyList<FleetProcess> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    public IReadOnlyList<FleetProcess> Live(ProcessKind kind) =>
        [.. (kind == ProcessKind.Api ? ApiSlots : WorkerSlots).Select(s => s.Current).OfType<FleetProcess>().Where(p => p.Ready && !p.Killed)];

    /// <summary>Starts every slot at once (the processes serialize schema migrations on a database lock).</summary>
    public async Task StartAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(database);
        foreach (var slot in ApiSlots)
        {
            slot.Port = FreePort();
        }
        foreach (var slot in WorkerSlots)
        {
            slot.Proxy = new DbProxy(builder.Host ?? "127.0.0.1", builder.Port);
            slot.Proxy.Start();
        }
        await Task.WhenAll(ApiSlots.Concat(WorkerSlots).Select(StartSlotAsync));
    }

    /// <summary>SIGKILLs the process and starts the next generation in its slot (in the background).</summary>
    public async Task KillAndRestartAsync(FleetProcess process)
    {
        process.Ready = false;
        process.Killed = true;
        await process.Process.KillHardAsync();
        var slot = (process.Kind == ProcessKind.Api ? ApiSlots : WorkerSlots)[process.Slot];
        lock (_gate)
        {
            _restarts.Add(Task.Run(async () =>
            {
                try
                {
                    await StartSlotAsync(slot);
                }
                catch (Exception e)
                {
                    log($"restart of {slot.Kind} slot {slot.Index} failed: {e.Message}");
                }
            }));
        }
    }

    /// <summary>Waits for restarts under way, then for every slot to be up again.</summary>
    public async Task SettleAsync()
    {
        Task[] restarts;
        lock (_gate)
        {
            restarts = [.. _restarts];
        }
        await Task.WhenAll(restarts);
        foreach (var slot in ApiSlots.Concat(WorkerSlots).Where(s => s.Current is not { Ready: true, Killed: false }))
        {
            await StartSlotAsync(slot);
        }
    }

    public FleetProcess? ByApplicationName(string name)
    {
        lock (_gate)
        {
            return _all.FirstOrDefault(p => p.ApplicationName == name);
        }
    }

    public FleetProcess? ByOwner(string? owner)
    {
        lock (_gate)
        {
            return owner is null ? null : _all.FirstOrDefault(p => p.Owner == owner);
        }
    }

    private async Task StartSlotAsync(FleetSlot slot)
    {
        for (var attempt = 1; ; attempt++)
        {
            var generation = ++slot.Generations;
            var name = $"chaos-{(slot.Kind == ProcessKind.Api ? "api" : "worker")}{slot.Index}.{generation}";
            var process = slot.Kind == ProcessKind.Api ? StartApi(slot, name) : StartWorker(slot, name);
            var member = new FleetProcess(slot.Kind, slot.Index, generation, name, process);
            lock (_gate)
            {
                _all.Add(member);
                slot.Current = member;
            }
            try
            {
                if (slot.Kind == ProcessKind.Api)
                {
                    await process.WaitForOutputAsync(@"Hangar listening on http://\S+", StartTimeout);
                    await WaitUntilAnsweringAsync(slot, process);
                }
                else
                {
                    member.Owner = (await process.WaitForOutputAsync(@"Hangar worker (\S+) running", StartTimeout)).Groups[1].Value;
                }
                member.Ready = true;
                log($"started {member.Name} (pid {member.Pid})");
                return;
            }
            catch (TimeoutException) when (attempt < 3 && process.HasExited)
            {
                // Most likely the API port was taken meanwhile: move the slot to another port.
                log($"{member.Name} exited while starting; retrying.\n{Tail(process.Transcript)}");
                if (slot.Kind == ProcessKind.Api)
                {
                    slot.Port = FreePort();
                }
            }
        }
    }

    private HangarProcess StartApi(FleetSlot slot, string applicationName) => HangarProcess.Start(
        ["serve", "--port", slot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-workers",
            "--database", ConnectionString(applicationName, null)],
        new Dictionary<string, string?>
        {
            ["HANGAR_API_KEY"] = apiKey,
            // The fleet drives every session through one workspace: tenant limits would only slow it down.
            ["HANGAR_RATE_LIMIT_CREATE"] = "unlimited",
            ["HANGAR_RATE_LIMIT_READ"] = "unlimited",
            ["HANGAR_RATE_LIMIT_WORK"] = "unlimited",
            ["HANGAR_MAX_RUNNING_SESSIONS"] = "unlimited",
            ["HANGAR_MAX_STREAMS_PER_SESSION"] = "unlimited",
            ["HANGAR_MAX_STREAMS_PER_KEY"] = "unlimited",
        });

    private HangarProcess StartWorker(FleetSlot slot, string applicationName) => HangarProcess.Start(
        ["worker", "--database", ConnectionString(applicationName, slot.Proxy!.Port),
            "--concurrency", options.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sandbox", options.Sandbox],
        new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = model.BaseUrl.ToString(),
            ["ANTHROPIC_API_KEY"] = model.ApiKey,
            ["TMPDIR"] = tempDirectory,
            // The sandbox state directory (default /var/lib/hangar for root on PostgreSQL), where the test looks.
            ["HANGAR_STATE_DIR"] = Path.Combine(tempDirectory, "hangar"),
        });

    /// <summary>The database, named for the audit; workers connect through their slot's relay.</summary>
    private string ConnectionString(string applicationName, int? relayPort)
    {
        var builder = new NpgsqlConnectionStringBuilder(database) { ApplicationName = applicationName };
        if (relayPort is { } port)
        {
            builder.Host = "127.0.0.1";
            builder.Port = port;
        }
        return builder.ConnectionString;
    }

    private async Task WaitUntilAnsweringAsync(FleetSlot slot, HangarProcess process)
    {
        using var http = new HttpClient { BaseAddress = slot.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("/v1/sessions?limit=1");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"API slot {slot.Index} never answered.\n{Tail(process.Transcript)}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : "…" + text[^3000..];

    /// <summary>Writes every generation's output to <paramref name="directory"/> (one file per process).</summary>
    public async Task WriteTranscriptsAsync(string directory)
    {
        foreach (var process in All)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, process.Name + ".log"),
                $"{process.Name} pid {process.Pid} owner {process.Owner} killed {process.Killed}\n{process.Process.Transcript}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[] restarts;
        lock (_gate)
        {
            restarts = [.. _restarts];
        }
        await Task.WhenAll(restarts.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var process in All)
        {
            if (process.Disrupted)
            {
                Signals.Kill(process.Pid, Signals.Continue);
            }
            await process.Process.DisposeAsync();
        }
        foreach (var slot in WorkerSlots)
        {
            if (slot.Proxy is not null)
            {
                await slot.Proxy.DisposeAsync();
            }
        }
    }
}
