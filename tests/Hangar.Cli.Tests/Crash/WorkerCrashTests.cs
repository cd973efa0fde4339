using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hangar.Cli.Tests.Crash;

/// <summary>Crash tests run alone: they measure recovery times and start and kill processes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash";
}

/// <summary>
/// SIGKILL the worker process holding a session's lease (serve --no-workers + two workers on
/// PostgreSQL) during model streaming, during a tool call, and between a tool result and the
/// next model call: another worker finishes the session and the log stays consistent.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class WorkerCrashTests(WorkerFleet fleet, ITestOutputHelper output) : IClassFixture<WorkerFleet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Killed_while_the_model_streams_another_worker_asks_again_and_logs_the_reply_once_five_times()
    {
        const int Turns = 5;
        var killedTurns = new HashSet<string>();
        // Until its turn's holder is killed a turn's reply streams for seconds; afterwards it is quick.
        fleet.Model.Respond(request =>
        {
            var turn = ModelRequests.LastUserText(request);
            lock (killedTurns)
            {
                return killedTurns.Contains(turn) ? FakeReply.Text($"Answer to {turn}.") : ModelRequests.Slow($"Doomed answer to {turn}.");
            }
        });
        var session = await fleet.CreateSessionAsync("crash-stream");

        for (var k = 1; k <= Turns; k++)
        {
            var turn = $"stream turn {k}";
            await fleet.SendAsync(session, turn);
            await fleet.Log.WaitForAsync(session, log =>
                    log.Count(e => e.Type == "user.message") == k && log[^1].Type == "span.model_request_start"
                    && fleet.Model.Requests.Any(r => ModelRequests.LastUserText(r) == turn),
                Patience, fleet.Transcripts);

            var kill = await fleet.KillLeaseHolderAsync(session);
            lock (killedTurns)
            {
                killedTurns.Add(turn); // After the kill: only the dead worker can have had the slow reply.
            }
            output.WriteLine((await fleet.WaitForRecoveryAsync(kill, $"(a) streaming, kill {k}")).ToString());
            await fleet.Log.WaitForIdleAsync(session, k, Patience, fleet.Transcripts);
            await fleet.KeepTwoWorkersAsync();
        }

        var log = await fleet.Log.EventsAsync(session);
        LogInvariants.AssertConsistent(log, [.. Enumerable.Range(1, Turns).Select(k => $"Answer to stream turn {k}.")], Turns);
        Assert.DoesNotContain(log, e => e.Text.Contains("Doomed", StringComparison.Ordinal));
        Assert.Equal(Turns, log.Count(e => e.Type == "span.model_request_end" && e.Json["is_error"]?.GetValue<bool>() == true));
        // The process that took over rebuilt exactly the request the dead one had sent.
        var requests = fleet.Model.Requests.Where(r => ModelRequests.LastUserText(r).StartsWith("stream turn", StringComparison.Ordinal))
            .GroupBy(ModelRequests.LastUserText).ToList();
        Assert.All(requests, pair => Assert.Equal(pair.First().RawBody, pair.Last().RawBody));
        Assert.All(requests, pair => Assert.Equal(2, pair.Count()));
        output.WriteLine(RecoveryTimes.Summary());
    }

    [Fact]
    public async Task Killed_during_a_tool_call_another_worker_reruns_the_call_and_logs_one_result()
    {
        // The count of runs shows whether the call ran again in the same workspace.
        const string Command = "echo run >> runs.txt; sleep 5; echo \"done $(grep -c run runs.txt)\"";
        fleet.Model.Respond(request => ModelRequests.AnswersTool(request)
            ? FakeReply.Text("The command finished.")
            : FakeReply.ToolUse("bash", new { command = Command }));
        var session = await fleet.CreateSessionAsync("crash-tool");
        var runs = Path.Combine(fleet.WorkspaceOf(session), "runs.txt");

        await fleet.SendAsync(session, "run the slow command");
        await fleet.Log.WaitForAsync(session, log => log.Any(e => e.Type == "agent.tool_use") && !log.Any(e => e.Type == "agent.tool_result") && File.Exists(runs), Patience, fleet.Transcripts);
        var kill = await fleet.KillLeaseHolderAsync(session);
        output.WriteLine((await fleet.WaitForRecoveryAsync(kill, "(b) tool call")).ToString());
        var log = await fleet.Log.WaitForIdleAsync(session, 1, Patience, fleet.Transcripts);
        await fleet.KeepTwoWorkersAsync();

        LogInvariants.AssertConsistent(log, ["The command finished."], 1);
        Assert.Equal("done 2", Assert.Single(log, e => e.Type == "agent.tool_result").Text.Trim());
        Assert.Equal(["run", "run"], await File.ReadAllLinesAsync(runs));
        output.WriteLine(RecoveryTimes.Summary());
    }

    [Fact]
    public async Task Killed_between_a_tool_result_and_the_next_model_call_another_worker_calls_the_model()
    {
        var killed = false;
        fleet.Model.Respond(request => !ModelRequests.AnswersTool(request)
            ? FakeReply.ToolUse("bash", new { command = "echo quick" })
            : Volatile.Read(ref killed)
                ? FakeReply.Text("Quick said quick.")
                : FakeReply.Text("Doomed: never seen.").WithTimeToFirstToken(TimeSpan.FromSeconds(30)));
        var session = await fleet.CreateSessionAsync("crash-between");

        await fleet.SendAsync(session, "run a quick command");
        await fleet.Log.WaitForAsync(session, log => log.Any(e => e.Type == "agent.tool_result"), Patience, fleet.Transcripts);
        var kill = await fleet.KillLeaseHolderAsync(session);
        Volatile.Write(ref killed, true);
        output.WriteLine((await fleet.WaitForRecoveryAsync(kill, "(c) after tool result")).ToString());
        var log = await fleet.Log.WaitForIdleAsync(session, 1, Patience, fleet.Transcripts);
        await fleet.KeepTwoWorkersAsync();

        LogInvariants.AssertConsistent(log, ["Quick said quick."], 1);
        Assert.Equal("quick", Assert.Single(log, e => e.Type == "agent.tool_result").Text.Trim());
        // The tool turn's request and the one after the kill completed; a request the dead worker opened was closed as an error.
        Assert.Equal(2, log.Count(e => e.Type == "span.model_request_end" && e.Json["is_error"]?.GetValue<bool>() == false));
        output.WriteLine(RecoveryTimes.Summary());
    }
}
