using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hangar.Cli.Tests.Crash;

/// <summary>Two <c>hangar worker</c> processes with bubblewrap sandboxes on one host, sharing the default sandbox root.</summary>
public sealed class BubblewrapWorkerFleet() : WorkerFleet(concurrency: 2, sandbox: "bubblewrap");

/// <summary>
/// A worker stalls (SIGSTOP) while its sandbox runs a command; another worker takes the session over and
/// runs the command again in a sandbox of its own. The stalled worker wakes up (SIGCONT) and shuts down
/// (SIGTERM), disposing what it still holds: only its own sandbox goes, the new owner's command and the
/// next one finish untouched.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class SandboxHandoffTests(BubblewrapWorkerFleet fleet, ITestOutputHelper output) : IClassFixture<BubblewrapWorkerFleet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string FirstCommand = "echo run >> runs.log; sleep 8; echo first-ok";

    [Fact]
    public async Task A_stalled_worker_that_wakes_and_stops_leaves_the_new_owners_sandbox_alone()
    {
        fleet.Model.Respond(request => ToolResults(request) switch
        {
            0 => FakeReply.ToolUse("bash", new { command = FirstCommand }),
            1 => FakeReply.ToolUse("bash", new { command = "echo second-ok" }),
            _ => FakeReply.Text("Both commands ran."),
        });
        var session = await fleet.CreateSessionAsync("handoff");
        var runs = Path.Combine(fleet.WorkspaceOf(session), "runs.log");

        await fleet.SendAsync(session, "run both commands");
        await fleet.Log.WaitForAsync(session, _ => RunCount(runs) == 1, Patience, fleet.Transcripts);
        var stalledLease = await fleet.Log.LeaseAsync(session);
        var stalled = fleet.HolderOf(stalledLease);
        stalled.Signal(Signals.Stop);
        try
        {
            // The stalled worker cannot renew; the lease clock is driven instead of waited out.
            await fleet.Log.ExpireLeaseAsync(session);
            await fleet.Log.WaitForAsync(session, _ => RunCount(runs) == 2, Patience, fleet.Transcripts);
            Assert.True((await fleet.Log.LeaseAsync(session)).Epoch > stalledLease.Epoch);
        }
        finally
        {
            stalled.Signal(Signals.Continue);
        }
        stalled.Signal(Signals.Terminate);
        Assert.Equal(0, await stalled.WaitForExitAsync(Patience));

        var log = await fleet.Log.WaitForIdleAsync(session, 1, Patience, fleet.Transcripts);
        output.WriteLine(StoredLog.Describe(log));
        var results = log.Where(e => e.Type == "agent.tool_result").ToList();
        Assert.Equal(["first-ok", "second-ok"], results.Select(r => r.Text.Trim()));
        Assert.All(results, r => Assert.NotEqual(true, r.Json["is_error"]?.GetValue<bool>()));
        LogInvariants.AssertConsistent(log, ["Both commands ran."], 1);
        await fleet.KeepTwoWorkersAsync();
    }

    private static int ToolResults(RecordedRequest request) =>
        request.Messages.Sum(m => m?["content"] is System.Text.Json.Nodes.JsonArray blocks ? blocks.Count(b => (string?)b?["type"] == "tool_result") : 0);

    private static int RunCount(string runs) => File.Exists(runs) ? File.ReadAllLines(runs).Length : 0;
}
