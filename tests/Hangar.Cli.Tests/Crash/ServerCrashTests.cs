using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hangar.Cli.Tests.Crash;

/// <summary>
/// The embedded default: one <c>hangar serve</c> (workers in-process) on SQLite, SIGKILLed during
/// a tool call and restarted on the same data directory. The restarted server re-runs the call
/// whose result was never logged (docs/harness.md) and finishes the session.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class ServerCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_SQLite_server_killed_during_a_tool_call_reruns_it_after_restart_and_finishes_the_session()
    {
        using var data = new TempDirectory();
        await using var model = await FakeMessagesServer.StartAsync();
        const string Command = "echo run >> runs.txt; sleep 3; echo \"done $(grep -c run runs.txt)\"";
        model.Respond(request => ModelRequests.AnswersTool(request)
            ? FakeReply.Text("The command finished.")
            : FakeReply.ToolUse("bash", new { command = Command }));
        var key = "hgr_crash_" + Guid.NewGuid().ToString("N");
        var env = new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = model.BaseUrl.ToString(), ["ANTHROPIC_API_KEY"] = model.ApiKey };
        var log = StoredLog.Sqlite(data.Path);
        string session;
        Stopwatch clock;
        long seqAtKill;

        await using (var server = await RunningServer.StartAsync(["--data", data.Path, "--sandbox", "local"], key, key, workers: true, env))
        {
            using var http = server.Client(key);
            session = await CreateSessionAsync(http);
            var runs = Path.Combine(data.Path, "workspaces", session, "runs.txt");
            await http.PostAsync($"/v1/sessions/{session}/events", Api.UserMessages("run the slow command"));
            await log.WaitForAsync(session, l => l.Any(e => e.Type == "agent.tool_use") && !l.Any(e => e.Type == "agent.tool_result") && File.Exists(runs), Patience, () => server.Process.Transcript);

            Assert.Equal(server.Process.Pid, (await log.LeaseAsync(session)).Pid);
            clock = Stopwatch.StartNew();
            await server.Process.KillHardAsync();
            seqAtKill = (await log.EventsAsync(session))[^1].Seq;
        }

        await using var restarted = await RunningServer.StartAsync(["--data", data.Path, "--sandbox", "local"], key, key, workers: true, env);
        var done = await log.WaitForIdleAsync(session, 1, Patience, () => restarted.Process.Transcript);
        output.WriteLine($"SQLite: kill → session idle again on the restarted server (restart, lease expiry, 3 s re-run, model call) {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(done.Count > seqAtKill);

        LogInvariants.AssertConsistent(done, ["The command finished."], 1);
        // Re-run in the same workspace: the first run had started (runs.txt existed) when the server died.
        Assert.Equal("done 2", Assert.Single(done, e => e.Type == "agent.tool_result").Text.Trim());
        Assert.Equal(restarted.Process.Pid, (await log.LeaseAsync(session)).Pid);
    }

    private static async Task<string> CreateSessionAsync(HttpClient http)
    {
        var agent = await http.PostAsync("/v1/agents", new JsonObject
        {
            ["name"] = "crash-sqlite",
            ["model"] = "claude-sonnet-4-5",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        });
        var environment = await http.PostAsync("/v1/environments", new JsonObject { ["name"] = "crash-sqlite", ["config"] = new JsonObject { ["type"] = "cloud" } });
        var session = await http.PostAsync("/v1/sessions", new JsonObject { ["agent"] = agent["id"]!.DeepClone(), ["environment_id"] = environment["id"]!.DeepClone() });
        return session["id"]!.GetValue<string>();
    }
}
