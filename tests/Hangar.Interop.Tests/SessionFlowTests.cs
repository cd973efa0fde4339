using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Interop.Tests.Hosting;

namespace Hangar.Interop.Tests;

/// <summary>
/// Sessions driven by the official TypeScript SDK: what the script saw on its stream, checked
/// against the session log Hangar kept.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class SessionFlowTests(InteropHangar hangar)
{
    [Fact]
    public async Task A_message_turn_streams_to_idle_with_end_turn()
    {
        using var ct = Deadline();
        var script = hangar.Scripts.New(FakeReply.Text("Hello from the fake model."));

        var result = await hangar.RunAsync("turn", script.Env(), ct.Token);

        Assert.Equal("end_turn", result.String("stop_reason"));
        Assert.Equal("Hello from the fake model.", result.String("text"));
        Assert.Equal("idle", result.String("status"));
        var streamed = result.Strings("streamed");
        Assert.Equal(["user.message", "session.status_running"], streamed.Take(2));
        Assert.Equal("session.status_idle", streamed[^1]);
        Assert.Contains("agent.message", streamed);
        // Auto-paging over pages of two returned the whole log, in order, once.
        var log = await LogAsync(result.String("session_id")!, ct.Token);
        Assert.Equal(log, result.Strings("listed"));
        Assert.Equal(log, streamed);
        Assert.Single(script.Requests);
    }

    [Fact]
    public async Task A_custom_tool_round_trip_ends_the_turn()
    {
        using var ct = Deadline();
        var script = hangar.Scripts.New(
            FakeReply.ToolUse("get_weather", new { city = "Paris" }),
            FakeReply.Text("It is sunny in Paris."));

        var result = await hangar.RunAsync("custom-tool", script.Env(), ct.Token);

        Assert.Equal(["requires_action", "end_turn"], result.Strings("stop_reasons"));
        Assert.Equal("Paris", (string?)result.Json["tool_inputs"]![0]!["city"]);
        Assert.Equal("It is sunny in Paris.", result.String("text"));
        var log = await LogAsync(result.String("session_id")!, ct.Token);
        var use = log.IndexOf("agent.custom_tool_use");
        var answer = log.IndexOf("user.custom_tool_result");
        Assert.True(use >= 0 && answer > use, string.Join(", ", log));
        Assert.Equal("session.status_idle", log[^1]);
        // The result the script sent is what the model saw next.
        Assert.Contains("Sunny, 21", script.Requests[1].Messages[^1]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_deltas_for_agent_message_arrive_before_the_final_event()
    {
        using var ct = Deadline();
        var story = FakeReply.Text("Once upon a time, a hangar kept its agents.") with { TokenDelay = TimeSpan.FromMilliseconds(5) };
        var script = hangar.Scripts.New(story);

        var result = await hangar.RunAsync("deltas", script.Env(), ct.Token);

        var frames = result.Json["frames"]!.AsArray().Select(f => f!.AsObject()).ToList();
        var message = frames.FindIndex(f => (string?)f["type"] == "agent.message");
        Assert.True(message >= 0, "no agent.message on the stream");
        var messageId = (string?)frames[message]["event_id"];
        var start = frames.FindIndex(f => (string?)f["type"] == "event_start");
        Assert.True(start >= 0 && start < message, "no event_start before the agent.message");
        Assert.Equal(messageId, (string?)frames[start]["event_id"]);
        var deltas = frames.Where((f, i) => (string?)f["type"] == "event_delta" && i > start && i < message).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, d => Assert.Equal(messageId, (string?)d["event_id"]));
        Assert.Equal((string?)frames[message]["text"], string.Concat(deltas.Select(d => (string?)d["text"])));
        // Deltas are not persisted; the log has the final event only.
        var log = await LogAsync(result.String("session_id")!, ct.Token);
        Assert.DoesNotContain("event_delta", log);
        Assert.DoesNotContain("event_start", log);
    }

    private async Task<List<string>> LogAsync(string sessionId, CancellationToken ct)
    {
        using var http = hangar.Raw();
        var page = await http.GetFromJsonAsync<JsonObject>($"/v1/sessions/{sessionId}/events?limit=1000", ct);
        return [.. page!["data"]!.AsArray().Select(e => (string)e!["type"]!)];
    }

    internal static CancellationTokenSource Deadline() => new(TimeSpan.FromMinutes(3));
}
