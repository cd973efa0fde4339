using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Bench.Scenarios.Recovery;
using Hangar.FakeModel;
using Hangar.Harness.Workers;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Crash recovery with separate processes: an API-only Hangar server (in this process, no
/// workers) and two real <c>hangar worker</c> processes on one PostgreSQL database, with default
/// lease settings. Each kill: a fresh session whose turn streams a slow model reply; once the
/// holder is mid model call (and a random part of a renewal period later, so kills land anywhere
/// in the renewal cycle), the process whose pid is in <c>lease_owner</c> is SIGKILLed. Timed from
/// the kill(2) call to (a) another process's claim (a newer <c>lease_epoch</c>) and (b) the first
/// event appended after the kill, both by polling the database every 2 ms, and both again from
/// timestamps the polls cannot delay: the claim's own database time and the event's
/// <c>processed_at</c>, against the wall clock at the kill (one host, one clock). A replacement worker
/// starts after each kill (overlapped with the next session's set-up), so two are always alive.
/// SQLite has no variant: separate worker processes are the PostgreSQL deployment (README
/// "Scaling out"); on SQLite the workers live inside <c>hangar serve</c>, whose recovery is a restart.
/// Every third stop is a SIGTERM instead (a graceful drain: the holder hands its lease back at once),
/// timed the same way. Then the same kill with full workers and a queue (<see cref="LoadedRecovery"/>), at concurrency 1 and 4.
/// </summary>
public sealed class RecoveryScenario : IScenario
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(2);

    public string Name => "recovery";

    public int Order => 70;

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var kills = context.Size(20, 2);
        var drains = context.Size(10, 1);
        var store = await context.NewStoreOptionsAsync(Engine.Postgres, ct);
        var database = store.ConnectionString!;
        var temp = Directory.CreateDirectory(Path.Join(Path.GetTempPath(), "hangar-bench-rec-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var doomed = new HashSet<string>(StringComparer.Ordinal);
        await using var model = await FakeMessagesServer.StartAsync(ct);
        // Until its holder is killed a turn's reply streams for 10 s; the worker that takes over gets a quick one.
        model.Respond(request =>
        {
            lock (doomed)
            {
                return doomed.Any(request.RawBody.Contains)
                    ? FakeReply.Text(string.Concat(Enumerable.Repeat("Doomed, still streaming. ", 100))).WithTokenDelay(TimeSpan.FromMilliseconds(100))
                    : FakeReply.Text("Recovered.");
            }
        });
        var takeover = new VariantSamples("kill → lease taken over (new epoch)");
        var claimed = new VariantSamples("kill → lease taken over, by the database clock");
        var firstEvent = new VariantSamples("kill → first new event by another worker");
        var stamped = new VariantSamples("kill → first new event, by its processed_at");
        var drainTakeover = new VariantSamples("SIGTERM (drain) → lease taken over (new epoch)");
        var drainFirstEvent = new VariantSamples("SIGTERM (drain) → first new event by another worker");
        var firstTypes = new SortedSet<string>(StringComparer.Ordinal);
        var workers = new WorkerProcesses(database, model, temp);
        try
        {
            context.Progress($"recovery: API server + 2 hangar worker processes on PostgreSQL, {kills} kills and {drains} drains");
            var starting = workers.KeepAsync(2);
            await using var api = await WorkingServer.StartApiOnlyAsync(store, ct);
            await starting;
            var agent = await SseLatencyScenario.CreateAsync(api.Client, "/v1/agents", new JsonObject { ["name"] = "bench-recovery", ["model"] = "claude-sonnet-4-5" }, ct);
            var environment = await SseLatencyScenario.CreateAsync(api.Client, "/v1/environments",
                new JsonObject { ["name"] = "bench-recovery-" + Guid.NewGuid().ToString("N")[..8], ["config"] = new JsonObject { ["type"] = "cloud" } }, ct);
            await using var probe = await LeaseProbe.OpenAsync(database, ct);
            var random = new Random(20261125);
            for (var k = 1; k <= kills + drains; k++)
            {
                // Every third stop is a graceful drain (SIGTERM), the others SIGKILL; they take turns through the run.
                var drain = drains > 0 && k % ((kills + drains) / drains) == 0 && drainTakeover.Operations < drains;
                var token = $"[bench-kill-{k:D2}]";
                lock (doomed)
                {
                    doomed.Add(token);
                }
                var sessionId = await SseLatencyScenario.CreateAsync(api.Client, "/v1/sessions", new JsonObject { ["agent"] = agent, ["environment_id"] = environment }, ct);
                await api.SendMessageAsync(sessionId, $"Answer slowly {token}", ct);
                var lease = await WaitForAsync(probe, sessionId, s => s.Held && s.LastType == "span.model_request_start"
                    && model.Requests.Any(r => r.RawBody.Contains(token, StringComparison.Ordinal)), "the holder to be mid model call", workers, ct);
                await starting; // The replacement from the previous kill: two workers alive at every kill.
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next((int)(HarnessOptions.DefaultLeaseTtl / 3).TotalMilliseconds)), ct);
                lease = await probe.ReadAsync(sessionId, ct);
                var holder = workers.ByPid(lease.Pid);
                var killedAt = DateTimeOffset.UtcNow;
                var clock = Stopwatch.StartNew();
                if (drain)
                {
                    holder.Signal(Hangar.Testing.Signals.Terminate);
                }
                else
                {
                    await holder.KillHardAsync();
                }
                lock (doomed)
                {
                    doomed.Remove(token);
                }
                var seqAtKill = (await probe.ReadAsync(sessionId, ct)).LastSeq;
                var recovery = await WaitForRecoveryAsync(probe, sessionId, lease, seqAtKill, clock, workers, ct);
                if (drain)
                {
                    drainTakeover.AddLatency(recovery.Takeover.TotalMilliseconds);
                    drainFirstEvent.AddLatency(recovery.FirstEvent.TotalMilliseconds);
                }
                else
                {
                    takeover.AddLatency(recovery.Takeover.TotalMilliseconds);
                    firstEvent.AddLatency(recovery.FirstEvent.TotalMilliseconds);
                    if (recovery.ClaimedAt is { } claimedAt)
                    {
                        claimed.AddLatency((claimedAt - killedAt).TotalMilliseconds);
                    }
                    var first = await probe.EventAsync(sessionId, seqAtKill + 1, ct);
                    firstTypes.Add(first["type"]!.GetValue<string>());
                    var processedAt = DateTimeOffset.Parse(first["processed_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    stamped.AddLatency((processedAt - killedAt).TotalMilliseconds);
                }
                await workers.BuryAsync(holder);
                starting = workers.KeepAsync(2);
                await WaitForAsync(probe, sessionId, s => s.LastType == "session.status_idle", "the session to end its turn", workers, ct);
                context.Progress($"recovery: {(drain ? "drain" : "kill")} {k}/{kills + drains}: takeover {recovery.Takeover.TotalMilliseconds:0} ms, first new event {recovery.FirstEvent.TotalMilliseconds:0} ms");
            }
            await starting;
        }
        finally
        {
            await workers.DisposeAsync();
            Directory.Delete(temp, recursive: true);
        }
        // Full workers (issue 22): more sessions than slots, at concurrency 1 and 4, each on its own database.
        var turn = context.Size(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(3));
        List<LoadedRecovery> full =
        [
            new(context, model, concurrency: 1, sessions: context.Size(5, 3), rounds: context.Size(10, 1), turn),
            new(context, model, concurrency: 4, sessions: context.Size(20, 9), rounds: context.Size(5, 1), turn),
        ];
        foreach (var run in full)
        {
            context.Progress($"recovery: {run.Label}, every session in a {turn.TotalSeconds:0} s turn; kill one worker per round");
            await run.RunAsync(ct);
        }
        var settings = $"2 × hangar worker, PostgreSQL (fsync on); default lease ttl {HarnessOptions.DefaultLeaseTtl.TotalSeconds:0.0#} s "
            + $"(renewed every ttl/3), poll {HarnessOptions.DefaultPollInterval.TotalMilliseconds:0} ms; killed mid model stream";
        return
        [
            new(Name, takeover.Name, takeover.Operations, takeover.Latency(), Note: settings + "; database polled every 2 ms"),
            new(Name, claimed.Name, claimed.Operations, claimed.Latency(), Note: "the claim's lease_expires_at − ttl (clock_timestamp()) − wall clock at the kill; same host"),
            new(Name, firstEvent.Name, firstEvent.Operations, firstEvent.Latency(), Note: $"first event: {string.Join(", ", firstTypes)}; database polled every 2 ms"),
            new(Name, stamped.Name, stamped.Operations, stamped.Latency(), Note: "the event's processed_at (ms, the new worker's clock) − wall clock at the kill; same host"),
            new(Name, drainTakeover.Name, drainTakeover.Operations, drainTakeover.Latency(), Ratios: [drainTakeover.P50RatioTo(takeover, "SIGKILL")],
                Note: "SIGTERM of the holder mid model stream: it cancels the step and hands the lease back (expired now, NOTIFY); database polled every 2 ms"),
            new(Name, drainFirstEvent.Name, drainFirstEvent.Operations, drainFirstEvent.Latency(), Ratios: [drainFirstEvent.P50RatioTo(firstEvent, "SIGKILL")]),
            .. full.SelectMany(run => new Result[]
            {
                new(Name, run.Takeover.Name, run.Takeover.Operations, run.Takeover.Latency(), Ratios: [run.Takeover.P50RatioTo(takeover, "1 session")],
                    Note: $"max {run.Takeover.Latency().MaxMs:0} ms; every session in a {turn.TotalSeconds:0} s streamed turn, one worker killed per round, "
                    + "no replacement until its sessions are back; takeover headroom at its default (= --concurrency); database polled every 2 ms"),
                new(Name, run.FirstEvent.Name, run.FirstEvent.Operations, run.FirstEvent.Latency(), Ratios: [run.FirstEvent.P50RatioTo(firstEvent, "1 session")],
                    Note: $"max {run.FirstEvent.Latency().MaxMs:0} ms"),
            }),
        ];
    }

    /// <summary>What a kill's recovery looked like: times from the kill as polled; when the claim was made by the database clock.</summary>
    private sealed record Recovery(TimeSpan Takeover, TimeSpan FirstEvent, DateTimeOffset? ClaimedAt);

    /// <summary>Polls until another process claimed the session and until it appended an event.</summary>
    private static async Task<Recovery> WaitForRecoveryAsync(
        LeaseProbe probe, string sessionId, LeaseSnapshot killed, long seqAtKill, Stopwatch clock, WorkerProcesses workers, CancellationToken ct)
    {
        TimeSpan? takeover = null, firstEvent = null;
        DateTimeOffset? claimedAt = null;
        while (takeover is null || firstEvent is null)
        {
            var now = await probe.ReadAsync(sessionId, ct);
            var elapsed = clock.Elapsed;
            if (takeover is null && now.Epoch > killed.Epoch)
            {
                takeover = elapsed;
                // Set to clock_timestamp() + ttl by the claim; renewed only ttl/3 later, so still the claim's.
                claimedAt = now.ExpiresAt - HarnessOptions.DefaultLeaseTtl;
                if (now.Pid == killed.Pid)
                {
                    throw new InvalidOperationException($"recovery: the killed worker {killed.Owner} claimed the session again.");
                }
            }
            if (firstEvent is null && now.LastSeq > seqAtKill)
            {
                firstEvent = elapsed;
                takeover ??= elapsed; // Claimed and written between two polls.
            }
            if (elapsed > Patience)
            {
                throw new TimeoutException($"recovery: no recovery within {Patience} of the kill (takeover {takeover}, first event {firstEvent}).\n{workers.Transcripts()}");
            }
            await Task.Delay(PollEvery, ct);
        }
        return new Recovery(takeover.Value, firstEvent.Value, claimedAt);
    }

    private static async Task<LeaseSnapshot> WaitForAsync(
        LeaseProbe probe, string sessionId, Func<LeaseSnapshot, bool> done, string what, WorkerProcesses workers, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await probe.ReadAsync(sessionId, ct);
            if (done(snapshot))
            {
                return snapshot;
            }
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"recovery: waited {Patience} for {what} (last: {snapshot}).\n{workers.Transcripts()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
        }
    }
}
