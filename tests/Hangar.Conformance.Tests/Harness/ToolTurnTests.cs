using System.Text.Json.Nodes;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>Whole turns as a user of the official SDK sees them, the model played by the fake.</summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class ToolTurnTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_multi_step_tool_turn_runs_each_tool_once_feeds_the_results_back_and_ends_idle_with_the_summed_usage(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("bash", new { command = "echo hi" }).WithText("Let me check.").WithUsage(100, 10, cacheRead: 5, cacheCreation: 7),
            FakeReply.ToolUse("write", new { file_path = "note.txt", content = "hello from hangar" })
                .ThenToolUse("read", new { file_path = "note.txt" }).WithUsage(120, 8, cacheRead: 90),
            FakeReply.Text("All done.").WithUsage(150, 6, cacheRead: 110, cacheCreation: 3));
        var session = await client.SessionAsync(script, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("say hi, then write and read a note"));
        var events = await client.WaitForIdleAsync(session.ID, ct);

        Assert.Equal(
            ["user.message", "session.status_running",
             "span.model_request_start", "agent.message", "agent.tool_use", "span.model_request_end", "agent.tool_result",
             "span.model_request_start", "agent.tool_use", "agent.tool_use", "span.model_request_end", "agent.tool_result", "agent.tool_result",
             "span.model_request_start", "agent.message", "span.model_request_end",
             "session.usage", "session.status_idle"],
            Turns.Types(events));
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(events).Json}");
        Assert.All(events, e => Assert.StartsWith("sevt_", e.ID));
        Assert.All(events, e => Assert.True(e.ProcessedAt.HasValue, $"{e.Type.Raw()} has no processed_at"));
        Turns.AssertConsistent(events);

        var uses = Turns.All<BetaManagedAgentsAgentToolUseEvent>(events);
        var results = Turns.All<BetaManagedAgentsAgentToolResultEvent>(events);
        Assert.Equal(["bash", "write", "read"], uses.Select(u => u.Name));
        Assert.Equal(uses.Select(u => u.ID), results.Select(r => r.ToolUseID));
        Assert.All(uses, u => Assert.Equal("allow", u.EvaluatedPermission!.Raw()));
        Assert.All(results, r => Assert.NotEqual(true, r.IsError));
        Assert.Contains("hi", ContentText(results[0]));
        Assert.Contains("hello from hangar", ContentText(results[2]));
        Assert.Equal("hello from hangar", File.ReadAllText(Path.Combine(hangar.Workspaces, session.ID, "note.txt")));
        Assert.Equal("All done.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(events)[^1]));

        // The model got each round's results under the ids of the tool uses it asked for.
        var requests = script.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal([uses[0].ID], ToolResultIds(requests[1].Messages[^1]!));
        Assert.Contains("hi", requests[1].Messages[^1]!.ToJsonString());
        Assert.Equal([uses[1].ID, uses[2].ID], ToolResultIds(requests[2].Messages[^1]!));
        Assert.Contains("hello from hangar", requests[2].Messages[^1]!.ToJsonString());
        Assert.Equal(["user", "assistant", "user", "assistant", "user"], requests[2].Messages.Select(m => (string?)m!["role"]));

        // Usage: per request on the spans, summed on the session and in session.usage.
        var spans = Turns.All<BetaManagedAgentsSpanModelRequestEndEvent>(events);
        Assert.Equal([100, 120, 150], spans.Select(s => s.ModelUsage.InputTokens));
        Assert.Equal([10, 8, 6], spans.Select(s => s.ModelUsage.OutputTokens));
        Assert.Equal([5, 90, 110], spans.Select(s => s.ModelUsage.CacheReadInputTokens));
        var row = await client.RetrieveAsync(session.ID, ct);
        Assert.Equal(BetaManagedAgentsSessionStatus.Idle, row.Status.Value());
        Assert.Equal(370, row.Usage.InputTokens);
        Assert.Equal(24, row.Usage.OutputTokens);
        Assert.Equal(205, row.Usage.CacheReadInputTokens);
        Assert.Equal(10, row.Usage.CacheCreation!.Ephemeral5mInputTokens);
        var usage = Turns.All<BetaManagedAgentsSessionUsageEvent>(events).Single().Usage;
        Assert.Equal(370, usage.InputTokens);
        Assert.Equal(24, usage.OutputTokens);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_custom_tool_call_waits_for_the_client_and_its_result_reaches_the_model(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("lookup_order", new { id = "1234" }).WithText("Looking it up."),
            FakeReply.Text("Your order shipped."));
        var lookup = new BetaManagedAgentsCustomToolParams
        {
            Name = "lookup_order",
            Description = "Finds an order by id.",
            InputSchema = new BetaManagedAgentsCustomToolInputSchema
            {
                Properties = new Dictionary<string, System.Text.Json.JsonElement>
                {
                    ["id"] = System.Text.Json.JsonSerializer.SerializeToElement(new { type = "string" }),
                },
            },
        };
        var session = await client.SessionAsync(script, ct, lookup);

        await client.SendAsync(session.ID, ct, Turns.Message("where is order 1234?"));
        var waiting = await client.WaitForIdleAsync(session.ID, ct);

        var use = Assert.Single(Turns.All<BetaManagedAgentsAgentCustomToolUseEvent>(waiting));
        Assert.Equal("lookup_order", use.Name);
        Assert.Equal("\"1234\"", use.Input["id"].GetRawText());
        Assert.True(Turns.LastStop(waiting).TryPickBetaManagedAgentsSessionRequiresAction(out var action), $"stop reason {Turns.LastStop(waiting).Json}");
        Assert.Equal([use.ID], action.EventIds);
        Assert.Equal(BetaManagedAgentsSessionStatus.Idle, (await client.RetrieveAsync(session.ID, ct)).Status.Value());
        Assert.Equal("lookup_order", (string?)script.Requests[0].Body!["tools"]!.AsArray().Single(t => (string?)t!["name"] == "lookup_order")!["name"]);

        await client.SendAsync(session.ID, ct, new BetaManagedAgentsUserCustomToolResultEventParams
        {
            CustomToolUseID = use.ID,
            Content = [new BetaManagedAgentsTextBlock { Text = "shipped on Monday" }],
        });
        var done = await client.WaitForIdleAsync(session.ID, ct, idles: 2);

        Assert.True(Turns.LastStop(done).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(done).Json}");
        Assert.Equal("Your order shipped.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(done)[^1]));
        Assert.True(Assert.Single(Turns.All<BetaManagedAgentsUserCustomToolResultEvent>(done)).ProcessedAt.HasValue);
        Assert.Equal(2, script.Requests.Count);
        var answer = script.Requests[1].Messages[^1]!;
        Assert.Equal([use.ID], ToolResultIds(answer));
        Assert.Contains("shipped on Monday", answer.ToJsonString());
    }

    internal static string ContentText(BetaManagedAgentsAgentToolResultEvent result) =>
        string.Concat((result.Content ?? []).Select(c => c.Json.GetRawText()));

    /// <summary>The <c>tool_use_id</c>s of the <c>tool_result</c> blocks of one request message.</summary>
    internal static List<string?> ToolResultIds(JsonNode message) =>
        [.. message["content"]!.AsArray().Where(b => (string?)b!["type"] == "tool_result").Select(b => (string?)b!["tool_use_id"])];
}
