using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Harness.Tests.Turns;

/// <summary>Whole turns through a real server, the fake Anthropic API and the local sandbox.</summary>
public sealed class ToolTurnTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_tool_using_turn_feeds_results_back_and_ends_idle(string storeKind)
    {
        var store = storeKind == "postgres"
            ? new StoreOptions(ConnectionString: await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync())
            : null;
        await using var host = await HarnessHost.StartAsync(store);
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo hangar > f.txt && cat f.txt" }).WithText("Let me run it.").WithUsage(100, 10, cacheRead: 5, cacheCreation: 7));
        host.Model.Enqueue(FakeReply.ToolUse("read", new { file_path = "f.txt" }).WithUsage(120, 8));
        host.Model.Enqueue(FakeReply.Text("The file says hangar.").WithUsage(150, 6));
        var session = await host.CreateSessionAsync();

        await host.SendTextAsync(session, "make a file");
        var events = await host.WaitForIdleAsync(session);

        Assert.Equal(
            ["user.message", "session.status_running",
             "span.model_request_start", "agent.message", "agent.tool_use", "span.model_request_end", "agent.tool_result",
             "span.model_request_start", "agent.tool_use", "span.model_request_end", "agent.tool_result",
             "span.model_request_start", "agent.message", "span.model_request_end",
             "session.usage", "session.status_idle"],
            Events.Types(events));
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        Assert.All(events, e => Assert.False(e.ContainsKey("_hangar")));
        Assert.All(events, e => Assert.NotNull((string?)e["processed_at"]));
        var firstUse = events.First(e => Events.TypeOf(e) == "agent.tool_use");
        Assert.Equal("allow", (string?)firstUse["evaluated_permission"]);
        Assert.Equal("always_allow", (string?)firstUse["evaluation"]?["type"]);
        var firstResult = events.First(e => Events.TypeOf(e) == "agent.tool_result");
        Assert.Equal((string?)firstUse["id"], (string?)firstResult["tool_use_id"]);
        Assert.Contains("hangar", firstResult["content"]!.ToJsonString());

        // The model saw the result under the tool-use event's id, and the whole conversation.
        var second = host.Model.Requests[1].Messages;
        var toolResult = (JsonObject)second[^1]!["content"]![0]!;
        Assert.Equal((string?)firstUse["id"], (string?)toolResult["tool_use_id"]);
        Assert.Equal((string?)firstUse["id"], (string?)second[^2]!["content"]![1]!["id"]);
        Assert.Contains("hangar", toolResult["content"]!.ToJsonString());
        Assert.Equal(3, host.Model.Requests.Count);

        var spanEnds = events.Where(e => Events.TypeOf(e) == "span.model_request_end").ToList();
        var starts = events.Where(e => Events.TypeOf(e) == "span.model_request_start").Select(e => (string?)e["id"]);
        Assert.Equal(starts, spanEnds.Select(e => (string?)e["model_request_start_id"]));
        Assert.Equal(100, (long)spanEnds[0]["model_usage"]!["input_tokens"]!);

        var row = await host.GetAsync($"/v1/sessions/{session}");
        Assert.Equal("idle", (string?)row["status"]);
        Assert.Equal(370, (long)row["usage"]!["input_tokens"]!);
        Assert.Equal(24, (long)row["usage"]!["output_tokens"]!);
        Assert.Equal(5, (long)row["usage"]!["cache_read_input_tokens"]!);
        Assert.Equal(7, (long)row["usage"]!["cache_creation"]!["ephemeral_5m_input_tokens"]!);
        Assert.Equal(370, (long)Events.Single(events, "session.usage")["usage"]!["input_tokens"]!);
        Assert.True((double)row["stats"]!["active_seconds"]! > 0);
    }

    [Fact]
    public async Task A_custom_tool_waits_for_the_client_and_its_result_resumes_the_turn()
    {
        await using var host = await HarnessHost.StartAsync();
        var custom = new JsonObject
        {
            ["type"] = "custom",
            ["name"] = "lookup_order",
            ["description"] = "Finds an order.",
            ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["id"] = new JsonObject { ["type"] = "string" } } },
        };
        host.Model.Enqueue(FakeReply.ToolUse("lookup_order", new { id = "1234" }));
        host.Model.Enqueue(FakeReply.Text("It shipped."));
        var session = await host.CreateSessionAsync(new JsonArray(custom));

        await host.SendTextAsync(session, "where is my order?");
        var waiting = await host.WaitForIdleAsync(session);
        var use = Events.Single(waiting, "agent.custom_tool_use");
        Assert.Equal("lookup_order", (string?)use["name"]);
        Assert.Equal("requires_action", Events.StopReason(waiting[^1]));
        Assert.Equal([(string?)use["id"]], ((JsonArray)waiting[^1]["stop_reason"]!["event_ids"]!).Select(i => (string?)i));
        Assert.Equal("lookup_order", (string?)((JsonArray)host.Model.Requests[0].Body!["tools"]!)[0]!["name"]);

        await host.SendAsync(session, new JsonObject
        {
            ["type"] = "user.custom_tool_result",
            ["custom_tool_use_id"] = use["id"]!.DeepClone(),
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "shipped" }),
        });
        var done = await host.WaitForIdleAsync(session, 2);

        Assert.Equal("end_turn", Events.StopReason(done[^1]));
        var result = (JsonObject)host.Model.Requests[1].Messages[^1]!["content"]![0]!;
        Assert.Equal((string?)use["id"], (string?)result["tool_use_id"]);
        Assert.Contains("shipped", result.ToJsonString());
        Assert.NotNull((string?)Events.Single(done, "user.custom_tool_result")["processed_at"]);
    }
}
