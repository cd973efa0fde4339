using System.Diagnostics;
using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hangar.Cli.Tests.Crash;

/// <summary>Two <c>hangar worker --concurrency 4</c> processes (takeover headroom at its default, 4).</summary>
public sealed class FullWorkerFleet : WorkerFleet
{
    public FullWorkerFleet()
        : base(concurrency: 4)
    {
    }
}

/// <summary>
/// Issue 22: with more sessions than slots, a killed worker's sessions used to queue behind new
/// work and wait for one of the full survivor's own turns to end (29–45 s). Now the survivor
/// takes them over in its headroom about one lease ttl after the kill, while new work waits.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class FullWorkerCrashTests(FullWorkerFleet fleet, ITestOutputHelper output) : IClassFixture<FullWorkerFleet>
{
    private const int Sessions = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Only a sanity bound: the test's claim is the order below, not a wall-clock figure (the bench measures those).</summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_killed_workers_sessions_resume_while_the_full_survivors_own_turns_still_run()
    {
        var killed = 0;
        // Before the kill every turn streams for 15 s, so both workers stay full well past the
        // takeover; afterwards replies are quick (the taken-over turns, then the queue).
        fleet.Model.Respond(request => Volatile.Read(ref killed) == 1
            ? FakeReply.Text($"Answer to {ModelRequests.LastUserText(request)}.")
            : FakeReply.Text("Long answer," + string.Concat(Enumerable.Repeat(" still streaming", 150))).WithTokenDelay(TimeSpan.FromMilliseconds(100)));
        var sessions = new List<string>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add(await fleet.CreateSessionAsync($"crash-full-{i}"));
        }
        foreach (var (session, i) in sessions.Select((s, i) => (s, i)))
        {
            await fleet.SendAsync(session, $"full turn {i}");
        }
        var running = await WaitForModelCallsAsync(sessions, 2 * fleet.Concurrency);

        var kills = await fleet.KillLeaseHolderAsync(running[0], sessions);
        Interlocked.Exchange(ref killed, 1);
        Assert.Equal(fleet.Concurrency, kills.Count);
        // No replacement starts until all are back: the survivor alone, full, must take them over.
        var recoveries = await Task.WhenAll(kills.Select(k => fleet.WaitForRecoveryAsync(k, $"(d) full survivor, {k.SessionId}")));
        foreach (var recovery in recoveries)
        {
            output.WriteLine(recovery.ToString());
        }
        Assert.True(recoveries.All(r => r.FirstEvent < Promptly),
            $"a killed worker's session waited longer than {Promptly}:\n{string.Join("\n", recoveries)}\n{fleet.Transcripts()}");
        // The point, independent of the machine's speed: every taken-over session resumed while the survivor's own
        // turns were still streaming (before, they waited for one of those to end).
        var taken = kills.Select(k => k.SessionId).ToHashSet();
        foreach (var survivorTurn in running.Where(s => !taken.Contains(s)))
        {
            var log = await fleet.Log.EventsAsync(survivorTurn);
            Assert.False(log.Any(e => e.Text.StartsWith("Long answer", StringComparison.Ordinal)),
                $"{survivorTurn}'s turn on the survivor ended before the takeovers were done:\n{string.Join("\n", recoveries)}");
        }

        await fleet.KeepTwoWorkersAsync();
        foreach (var (session, i) in sessions.Select((s, i) => (s, i)))
        {
            var log = await fleet.Log.WaitForIdleAsync(session, 1, Patience, fleet.Transcripts);
            // A taken-over turn logs the quick answer; the dead worker's long one never made it to the log.
            LogInvariants.AssertConsistent(log, taken.Contains(session) ? [$"Answer to full turn {i}."] : [], 1);
            Assert.True(!taken.Contains(session) || !log.Any(e => e.Text.StartsWith("Long answer", StringComparison.Ordinal)));
        }
        output.WriteLine(RecoveryTimes.Summary());
    }

    /// <summary>Waits until <paramref name="count"/> sessions are in a model call (their last event opens one and a lease is held); returns them.</summary>
    private async Task<List<string>> WaitForModelCallsAsync(List<string> sessions, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var running = new List<string>();
            foreach (var session in sessions)
            {
                if ((await fleet.Log.EventsAsync(session)).LastOrDefault()?.Type == "span.model_request_start" && (await fleet.Log.LeaseAsync(session)).Held)
                {
                    running.Add(session);
                }
            }
            if (running.Count >= count)
            {
                return running;
            }
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"Only {running.Count} of {count} sessions reached a model call.\n{fleet.Transcripts()}");
            }
            await Task.Delay(50);
        }
    }
}
