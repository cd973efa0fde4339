using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests.Crash;

/// <summary>
/// <c>hangar serve --no-workers</c> and two <c>hangar worker --concurrency N</c> processes (N = 2
/// unless a subclass says otherwise) on one PostgreSQL database, their model being the fake
/// Messages server in this process. Tests kill the worker that holds a session's lease;
/// <see cref="KeepTwoWorkersAsync"/> starts replacements.
/// </summary>
public class WorkerFleet : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _key = "hgr_crash_" + Guid.NewGuid().ToString("N");
    private readonly List<HangarProcess> _workers = [];
    private readonly List<HangarProcess> _killed = [];
    private readonly string _sandbox;
    private RunningServer? _server;

    // xunit builds fixtures through their only public constructor.
    public WorkerFleet()
        : this(concurrency: 2)
    {
    }

    /// <param name="concurrency">Sessions each worker runs at once.</param>
    /// <param name="sandbox">The workers' <c>--sandbox</c>: local by default (see <see cref="Temp"/>).</param>
    protected WorkerFleet(int concurrency, string sandbox = "local")
    {
        Concurrency = concurrency;
        _sandbox = sandbox;
    }

    /// <summary>Sessions each worker runs at once (<c>--concurrency</c>; takeover headroom is left at its default, as many).</summary>
    public int Concurrency { get; }

    public FakeMessagesServer Model { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public StoredLog Log { get; private set; } = null!;

    /// <summary>
    /// TMPDIR of the workers: with PostgreSQL their local sandboxes keep session workspaces in
    /// <c>hangar/workspaces/&lt;session&gt;</c> under it. Local, not bubblewrap: what is under test is
    /// the harness's recovery, and the local sandbox runs on any test machine.
    /// </summary>
    public TempDirectory Temp { get; } = new();

    private string Database { get; set; } = "";

    public async Task InitializeAsync()
    {
        Model = await FakeMessagesServer.StartAsync();
        Database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
        Log = StoredLog.Postgres(Database);
        var server = RunningServer.StartAsync(["--database", Database], _key, bootstrapKey: _key);
        await Task.WhenAll(server, KeepTwoWorkersAsync());
        _server = await server;
        Http = _server.Client(_key);
    }

    /// <summary>The session's workspace on this host: both workers share the default sandbox root under <see cref="Temp"/>.</summary>
    public string WorkspaceOf(string sessionId) => _sandbox == "local"
        ? Path.Combine(Temp.Path, "hangar", "workspaces", sessionId)
        : Path.Combine(Temp.Path, "hangar", "sandboxes", sessionId, "workspace");

    /// <summary>Starts workers until two are alive and announced themselves.</summary>
    public async Task KeepTwoWorkersAsync()
    {
        List<HangarProcess> started;
        lock (_workers)
        {
            _workers.RemoveAll(w => w.HasExited);
            started = [.. Enumerable.Range(0, Math.Max(0, 2 - _workers.Count)).Select(_ => HangarProcess.Start(
                ["worker", "--database", Database, "--concurrency", $"{Concurrency}", "--sandbox", _sandbox],
                new Dictionary<string, string?>
                {
                    ["ANTHROPIC_BASE_URL"] = Model.BaseUrl.ToString(),
                    ["ANTHROPIC_API_KEY"] = Model.ApiKey,
                    ["TMPDIR"] = Temp.Path,
                    // The sandbox state directory (default /var/lib/hangar for root on PostgreSQL), where the test looks.
                    ["HANGAR_STATE_DIR"] = Path.Combine(Temp.Path, "hangar"),
                }))];
            _workers.AddRange(started);
        }
        await Task.WhenAll(started.Select(w => w.WaitForOutputAsync(@"Hangar worker \S+ running", StartTimeout)));
    }

    /// <summary>An agent (a claude-* model, so the Anthropic provider; the built-in toolset), an environment and a session.</summary>
    public async Task<string> CreateSessionAsync(string name)
    {
        var agent = await Http.PostAsync("/v1/agents", new JsonObject
        {
            ["name"] = name,
            ["model"] = "claude-sonnet-4-5",
            ["system"] = "You are a crash test agent.",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        });
        var environment = await Http.PostAsync("/v1/environments", new JsonObject
        {
            ["name"] = name + "-" + Guid.NewGuid().ToString("N")[..8],
            ["config"] = new JsonObject { ["type"] = "cloud" },
        });
        var session = await Http.PostAsync("/v1/sessions", new JsonObject { ["agent"] = agent["id"]!.DeepClone(), ["environment_id"] = environment["id"]!.DeepClone() });
        return session["id"]!.GetValue<string>();
    }

    public Task SendAsync(string sessionId, string text) => Http.PostAsync($"/v1/sessions/{sessionId}/events", Api.UserMessages(text));

    /// <summary>The live worker process holding <paramref name="lease"/>.</summary>
    public HangarProcess HolderOf(LeaseRow lease)
    {
        lock (_workers)
        {
            return _workers.SingleOrDefault(w => w.Pid == lease.Pid && !w.HasExited)
                ?? throw new InvalidOperationException($"The lease owner {lease.Owner} is none of the live workers.\n{Transcripts()}");
        }
    }

    /// <summary>
    /// SIGKILLs exactly the process whose pid is in the session's <c>lease_owner</c> and returns
    /// when it is gone, with the clock started at the kill.
    /// </summary>
    public async Task<Kill> KillLeaseHolderAsync(string sessionId) => Assert.Single(await KillLeaseHolderAsync(sessionId, [sessionId]));

    /// <summary>
    /// SIGKILLs the process holding <paramref name="sessionId"/>'s lease; returns a kill (one clock,
    /// started at the kill) for each of <paramref name="sessions"/> whose lease that process held.
    /// </summary>
    public Task<IReadOnlyList<Kill>> KillLeaseHolderAsync(string sessionId, IReadOnlyList<string> sessions) =>
        StopLeaseHolderAsync(sessionId, sessions, holder => holder.KillHardAsync());

    /// <summary>
    /// SIGTERMs the process holding the session's lease (a graceful drain, as an orchestrator's
    /// rolling restart does) and returns at once, the clock started at the signal, with the process.
    /// </summary>
    public async Task<(Kill Kill, HangarProcess Holder)> TerminateLeaseHolderAsync(string sessionId)
    {
        HangarProcess? terminated = null;
        var kill = Assert.Single(await StopLeaseHolderAsync(sessionId, [sessionId], holder =>
        {
            terminated = holder;
            holder.Signal(Signals.Terminate);
            return Task.CompletedTask;
        }));
        return (kill, terminated!);
    }

    private async Task<IReadOnlyList<Kill>> StopLeaseHolderAsync(string sessionId, IReadOnlyList<string> sessions, Func<HangarProcess, Task> stop)
    {
        var lease = await Log.LeaseAsync(sessionId);
        var holder = HolderOf(lease);
        Assert.True(lease.Held, $"{lease.Owner} released the lease before the kill");
        var held = new List<(string Session, LeaseRow Lease)>();
        foreach (var session in sessions)
        {
            if (await Log.LeaseAsync(session) is { Held: true } row && row.Pid == holder.Pid)
            {
                held.Add((session, row));
            }
        }
        var clock = Stopwatch.StartNew();
        await stop(holder);
        lock (_workers)
        {
            _workers.Remove(holder);
            _killed.Add(holder);
        }
        var kills = new List<Kill>();
        foreach (var (session, row) in held)
        {
            // A lease renewed or a session released between the reads above and the kill is caught by the epoch check of the recovery wait.
            var seq = (await Log.EventsAsync(session)).LastOrDefault()?.Seq ?? 0;
            kills.Add(new Kill(session, row, seq, clock));
        }
        return kills;
    }

    /// <summary>
    /// Polls (every 10 ms) until another worker claimed the session (a newer epoch) and appended
    /// an event after the kill; both times are measured from the kill.
    /// </summary>
    public async Task<Recovery> WaitForRecoveryAsync(Kill kill, string label)
    {
        TimeSpan? takeover = null, firstEvent = null;
        while (takeover is null || firstEvent is null)
        {
            if (kill.Clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"No recovery within 30 s of the kill (takeover: {takeover}, first event: {firstEvent}).\n"
                    + StoredLog.Describe(await Log.EventsAsync(kill.SessionId)) + "\n" + Transcripts());
            }
            var lease = await Log.LeaseAsync(kill.SessionId);
            if (takeover is null && lease.Epoch > kill.Lease.Epoch)
            {
                takeover = kill.Clock.Elapsed;
                Assert.NotEqual(kill.Lease.Pid, lease.Pid);
            }
            if (firstEvent is null && (await Log.EventsAsync(kill.SessionId)).LastOrDefault()?.Seq > kill.SeqAtKill)
            {
                firstEvent = kill.Clock.Elapsed;
                takeover ??= firstEvent; // Claimed and written (and maybe released) between two polls.
            }
            await Task.Delay(10);
        }
        var recovery = new Recovery(label, takeover.Value, firstEvent.Value);
        RecoveryTimes.Add(recovery);
        return recovery;
    }

    /// <summary>What every process said, for failure messages.</summary>
    public string Transcripts()
    {
        lock (_workers)
        {
            return string.Join("\n", _workers.Concat(_killed).Select(w => $"=== worker {w.Pid}\n{Tail(w.Transcript)}"))
                + $"\n=== server\n{Tail(_server?.Process.Transcript ?? "")}";
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        foreach (var worker in _workers.Concat(_killed))
        {
            await worker.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
        Temp.Dispose();
    }
}

/// <summary>A kill: the lease the dead process held, the last seq at its death, a clock started at the kill.</summary>
public sealed record Kill(string SessionId, LeaseRow Lease, long SeqAtKill, Stopwatch Clock);

/// <summary>Times from a kill: to another worker's claim (new epoch) and to its first appended event.</summary>
public sealed record Recovery(string Label, TimeSpan Takeover, TimeSpan FirstEvent)
{
    public override string ToString() => $"{Label}: takeover {Takeover.TotalSeconds:0.00} s, first new event {FirstEvent.TotalSeconds:0.00} s";
}
