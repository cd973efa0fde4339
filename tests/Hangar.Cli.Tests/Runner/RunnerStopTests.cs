using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests.Runner;

/// <summary>
/// SIGTERM to a runner mid-tool: the call is cancelled and answered with an error result, the item is
/// released (stopped), and the runner exits 0; the session's turn carries on without it. The operator sees
/// the item with <c>hangar work list|stats</c>.
/// </summary>
public sealed class RunnerStopTests(SelfHostedHangar hangar) : IClassFixture<SelfHostedHangar>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_cancels_the_call_posts_an_error_result_and_releases_the_item()
    {
        hangar.Model.Respond(request => request.Messages.Count switch
        {
            1 => FakeReply.ToolUse("bash", new { command = "echo started > started.log; sleep 60" }),
            _ => FakeReply.Text("The runner went away."),
        });
        var (environment, key, session) = await hangar.CreateSessionAsync("runner-stop");
        await using var runner = await hangar.StartRunnerAsync(environment, key);

        await hangar.SendAsync(session, "sleep for a minute");
        var started = hangar.WorkspaceFile(session, "started.log");
        var deadline = DateTime.UtcNow + Patience;
        while (!File.Exists(started) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(File.Exists(started), runner.Transcript);
        runner.Signal(Signals.Terminate);
        Assert.Equal(0, await runner.WaitForExitAsync(Patience));

        var events = await hangar.WaitForEndTurnAsync(session, Patience, () => runner.Transcript);
        var result = Assert.Single(events, e => (string?)e["type"] == "user.tool_result");
        Assert.True(result["is_error"]?.GetValue<bool>(), runner.Transcript);
        Assert.Contains("runner stopped", result["content"]!.ToJsonString());

        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["work", "list", environment, "--key", key, "--json", .. hangar.ClientArgs]);
        Assert.True(exit == 0, stderr);
        var item = Assert.Single(JsonNode.Parse(stdout)!["data"]!.AsArray());
        Assert.Equal(session, (string?)item!["data"]!["id"]);
        Assert.Equal("stopped", (string?)item["state"]);
        (exit, stdout, stderr) = await HangarProcess.RunAsync(["work", "stats", environment, "--json", .. hangar.ClientArgs]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, (int)JsonNode.Parse(stdout)!["depth"]!);
        (exit, _, stderr) = await HangarProcess.RunAsync(["work", "stop", environment, (string)item["id"]!, .. hangar.ClientArgs]);
        Assert.Equal(1, exit); // Already stopped: 409.
        Assert.Contains("409", stderr);
    }
}
