using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Xunit;

namespace Hangar.Cli.Tests.Runner;

/// <summary>
/// <c>hangar runner</c> as a real process against a real Hangar: the model asks for bash in a self_hosted
/// environment, the runner runs it in its bubblewrap sandbox and posts the <c>user.tool_result</c>; killed
/// mid-tool, another runner takes the session over once the lease lapses, and no call is answered twice.
/// </summary>
public sealed class RunnerTests(SelfHostedHangar hangar) : IClassFixture<SelfHostedHangar>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_runner_runs_the_bash_call_and_the_turn_ends_with_one_result_per_call()
    {
        hangar.Model.Respond(request => ToolResults(request) switch
        {
            0 => FakeReply.ToolUse("bash", new { command = "echo hello-from-the-runner > note.txt; cat note.txt" }),
            _ => FakeReply.Text("Done."),
        });
        var (environment, key, session) = await hangar.CreateSessionAsync("runner-e2e");
        await using var runner = await hangar.StartRunnerAsync(environment, key, maxIdle: "1s");

        await hangar.SendAsync(session, "say hello");
        var events = await hangar.WaitForEndTurnAsync(session, Patience, () => runner.Transcript);

        AssertOneResultPerCall(events, runner.Transcript);
        var result = Assert.Single(events, e => (string?)e["type"] == "user.tool_result");
        Assert.Contains("hello-from-the-runner", result["content"]!.ToJsonString());
        Assert.NotEqual(true, result["is_error"]?.GetValue<bool>());
        Assert.Equal("end_turn", (string?)events[^1]["stop_reason"]?["type"]);
        // The workspace stays on the runner's host, kept by session id; the item is released after max-idle.
        Assert.True(File.Exists(hangar.WorkspaceFile(session, "note.txt")), runner.Transcript);
        await runner.WaitForOutputAsync($"Released work_\\S+ of {session}", Patience);
    }

    [Fact]
    public async Task A_runner_killed_mid_tool_is_replaced_after_the_lease_lapses_and_each_call_has_one_result()
    {
        hangar.Model.Respond(request => ToolResults(request) switch
        {
            0 => FakeReply.ToolUse("bash", new { command = "echo run >> runs.log; sleep 3; echo slept-well" }),
            _ => FakeReply.Text("Done."),
        });
        var (environment, key, session) = await hangar.CreateSessionAsync("runner-takeover");
        await using var first = await hangar.StartRunnerAsync(environment, key, leaseTtl: 2);
        await using var second = await hangar.StartRunnerAsync(environment, key, leaseTtl: 2);
        string Transcripts() => $"first:\n{first.Transcript}\nsecond:\n{second.Transcript}";

        await hangar.SendAsync(session, "sleep a little");
        var runs = hangar.WorkspaceFile(session, "runs.log");
        await WaitUntilAsync(() => RunCount(runs) == 1, Transcripts);
        var claimed = $"for session {session}";
        await WaitUntilAsync(() => first.Stdout.Contains(claimed) || second.Stdout.Contains(claimed), Transcripts);
        var (holder, other) = first.Stdout.Contains(claimed) ? (first, second) : (second, first);
        await holder.KillHardAsync();

        var events = await hangar.WaitForEndTurnAsync(session, Patience, Transcripts);
        Assert.Contains(claimed, other.Stdout);
        AssertOneResultPerCall(events, Transcripts());
        var result = Assert.Single(events, e => (string?)e["type"] == "user.tool_result");
        Assert.Contains("slept-well", result["content"]!.ToJsonString());
        Assert.Equal(2, RunCount(runs)); // Killed before it answered, so the call ran again: once per residency.
    }

    private static void AssertOneResultPerCall(List<JsonObject> events, string transcript)
    {
        var uses = events.Where(e => (string?)e["type"] == "agent.tool_use").Select(e => (string)e["id"]!).ToList();
        var results = events.Where(e => (string?)e["type"] == "user.tool_result").Select(e => (string)e["tool_use_id"]!).ToList();
        Assert.NotEmpty(uses);
        Assert.True(uses.Order().SequenceEqual(results.Order()), $"uses {string.Join(",", uses)} vs results {string.Join(",", results)}\n{transcript}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> transcripts)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(transcripts());
            }
            await Task.Delay(50);
        }
    }

    private static int ToolResults(RecordedRequest request) =>
        request.Messages.Sum(m => m?["content"] is JsonArray blocks ? blocks.Count(b => (string?)b?["type"] == "tool_result") : 0);

    private static int RunCount(string runs) => File.Exists(runs) ? File.ReadAllLines(runs).Length : 0;
}
