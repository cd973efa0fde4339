using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Workers;

namespace Hangar.Bench.Scenarios.Recovery;

/// <summary>
/// Crash recovery when the workers are full (issue 22): two <c>hangar worker --concurrency N</c>
/// processes and more sessions than their 2N slots, every session in a slow turn. Each round sends
/// a turn to every session, waits until both workers run N each (the rest wait as new work), and
/// SIGKILLs one of them at a random point of the renewal period; then the time from the kill to
/// another process's claim and to the first event it appends, for each of the dead worker's N
/// sessions. No replacement starts until all N are back, so only the full survivor can take
/// them: what a crash costs before anyone restarts the process. After the kill the model answers
/// at once, so the queue drains quickly, but the survivor's own turns still stream to their end.
/// </summary>
public sealed class LoadedRecovery(BenchContext context, FakeMessagesServer model, int concurrency, int sessions, int rounds, TimeSpan turn)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan TokenDelay = TimeSpan.FromMilliseconds(100);

    public string Label => $"2 × --concurrency {concurrency}, {sessions} sessions";

    public VariantSamples Takeover { get; } = new($"full workers: 2 × --concurrency {concurrency}, {sessions} sessions: kill → lease taken over");

    public VariantSamples FirstEvent { get; } = new($"full workers: 2 × --concurrency {concurrency}, {sessions} sessions: kill → first new event");

    public async Task RunAsync(CancellationToken ct)
    {
        var store = await context.NewStoreOptionsAsync(Engine.Postgres, ct);
        var temp = context.TempDirectory("recovery-full");
        var slow = 1;
        // A turn's reply is turn/100 ms words (the fake streams one word per delay); once the kill is done, replies are instant.
        model.Respond(_ => Volatile.Read(ref slow) == 1
            ? FakeReply.Text(string.Concat(Enumerable.Repeat("slowly ", Math.Max(1, (int)(turn / TokenDelay))))).WithTokenDelay(TokenDelay)
            : FakeReply.Text("Quick answer."));
        await using var workers = new WorkerProcesses(store.ConnectionString!, model, temp, concurrency);
        var starting = workers.KeepAsync(2);
        await using var api = await WorkingServer.StartApiOnlyAsync(store, ct);
        await starting;
        await using var probe = await LeaseProbe.OpenAsync(store.ConnectionString!, ct);
        var agent = await SseLatencyScenario.CreateAsync(api.Client, "/v1/agents", new JsonObject { ["name"] = "bench-recovery-full", ["model"] = "claude-sonnet-4-5" }, ct);
        var environment = await SseLatencyScenario.CreateAsync(api.Client, "/v1/environments",
            new JsonObject { ["name"] = "bench-recovery-full-" + Guid.NewGuid().ToString("N")[..8], ["config"] = new JsonObject { ["type"] = "cloud" } }, ct);
        var ids = new List<string>();
        for (var i = 0; i < sessions; i++)
        {
            ids.Add(await SseLatencyScenario.CreateAsync(api.Client, "/v1/sessions", new JsonObject { ["agent"] = agent, ["environment_id"] = environment }, ct));
        }
        var random = new Random(20261126 + concurrency);
        for (var round = 1; round <= rounds; round++)
        {
            Volatile.Write(ref slow, 1);
            foreach (var id in ids)
            {
                await api.SendMessageAsync(id, $"Answer slowly, round {round}", ct);
            }
            var running = await WaitForRunningAsync(probe, ids, 2 * concurrency, workers, ct);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next((int)(HarnessOptions.DefaultLeaseTtl / 3).TotalMilliseconds)), ct);
            var victim = workers.ByPid(running[random.Next(running.Count)].Pid);
            var held = new List<(string Id, LeaseSnapshot Lease)>();
            foreach (var id in ids)
            {
                if (await probe.ReadAsync(id, ct) is { Held: true } lease && lease.Pid == victim.Pid)
                {
                    held.Add((id, lease));
                }
            }
            var clock = Stopwatch.StartNew();
            await victim.KillHardAsync();
            Volatile.Write(ref slow, 0);
            var pending = new List<(string Id, LeaseSnapshot Lease, long SeqAtKill)>();
            foreach (var (id, lease) in held)
            {
                pending.Add((id, lease, (await probe.ReadAsync(id, ct)).LastSeq));
            }
            await WaitForRecoveriesAsync(probe, pending, clock, workers, ct);
            await workers.BuryAsync(victim);
            starting = workers.KeepAsync(2);
            foreach (var id in ids)
            {
                await WaitForIdleAsync(probe, id, round, workers, ct);
            }
            await starting;
            context.Progress($"recovery: {Label}, round {round}/{rounds}: {held.Count} sessions of the killed worker, "
                + $"takeover p50 so far {Takeover.Latency().P50Ms:0} ms, max {Takeover.Latency().MaxMs:0} ms");
        }
        Directory.Delete(temp, recursive: true);
    }

    /// <summary>Polls every session of the dead worker in turn until each was claimed by another process and written to.</summary>
    private async Task WaitForRecoveriesAsync(
        LeaseProbe probe, List<(string Id, LeaseSnapshot Lease, long SeqAtKill)> killed, Stopwatch clock, WorkerProcesses workers, CancellationToken ct)
    {
        var takeovers = new Dictionary<string, TimeSpan>();
        var firstEvents = new Dictionary<string, TimeSpan>();
        while (firstEvents.Count < killed.Count)
        {
            foreach (var (id, lease, seqAtKill) in killed.Where(k => !firstEvents.ContainsKey(k.Id)))
            {
                var now = await probe.ReadAsync(id, ct);
                var elapsed = clock.Elapsed;
                if (!takeovers.ContainsKey(id) && now.Epoch > lease.Epoch)
                {
                    takeovers[id] = elapsed;
                    if (now.Pid == lease.Pid)
                    {
                        throw new InvalidOperationException($"recovery: the killed worker {lease.Owner} claimed {id} again.");
                    }
                }
                if (now.LastSeq > seqAtKill)
                {
                    firstEvents[id] = elapsed;
                    takeovers.TryAdd(id, elapsed); // Claimed and written between two polls.
                }
            }
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"recovery: {killed.Count - firstEvents.Count} of the killed worker's sessions not back within {Patience}.\n{workers.Transcripts()}");
            }
            await Task.Delay(PollEvery, ct);
        }
        foreach (var (id, _, _) in killed)
        {
            Takeover.AddLatency(takeovers[id].TotalMilliseconds);
            FirstEvent.AddLatency(firstEvents[id].TotalMilliseconds);
        }
    }

    /// <summary>Waits until <paramref name="count"/> sessions are mid model call under a held lease; returns their leases.</summary>
    private static async Task<List<LeaseSnapshot>> WaitForRunningAsync(LeaseProbe probe, List<string> ids, int count, WorkerProcesses workers, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var running = new List<LeaseSnapshot>();
            foreach (var id in ids)
            {
                if (await probe.ReadAsync(id, ct) is { Held: true, LastType: "span.model_request_start" } lease)
                {
                    running.Add(lease);
                }
            }
            if (running.Count >= count)
            {
                return running;
            }
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"recovery: only {running.Count} of {count} sessions reached a model call.\n{workers.Transcripts()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>Waits until the session's last event is its <paramref name="turns"/>-th idle (the round's turn ended).</summary>
    private static async Task WaitForIdleAsync(LeaseProbe probe, string id, int turns, WorkerProcesses workers, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (await probe.ReadAsync(id, ct) is not { LastType: "session.status_idle" } || await probe.CountAsync(id, "session.status_idle", ct) < turns)
        {
            if (clock.Elapsed > Patience * 2)
            {
                throw new TimeoutException($"recovery: {id} did not end round {turns}'s turn.\n{workers.Transcripts()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }
}
