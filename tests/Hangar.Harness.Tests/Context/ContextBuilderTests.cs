using System.Text.Json.Nodes;
using Hangar.Harness.Context;

namespace Hangar.Harness.Tests.Context;

public sealed class ContextBuilderTests
{
    [Fact]
    public void A_first_message_gives_system_tools_and_one_user_turn_with_cache_marks()
    {
        var log = new LogBuilder().User("hello", processed: false).Events;

        var built = ContextBuilder.Build(TestAgents.Agent(), log, TestAgents.Options);

        Assert.Equal(
            """{"model":"claude-test","max_tokens":1024,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}]"""
            + ""","tools":[{"name":"bash","description":"The bash tool.","input_schema":{"type":"object"}},{"name":"read","description":"The read tool.","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}]"""
            + ""","messages":[{"role":"user","content":[{"type":"text","text":"hello","cache_control":{"type":"ephemeral"}}]}]}""",
            built.Body.ToJsonString());
        Assert.Equal(["sevt_1"], built.ConsumedUserEventIds);
    }

    [Fact]
    public void A_tool_round_trip_uses_the_event_id_as_tool_use_id_and_keeps_block_order()
    {
        var log = new LogBuilder().User("list files").Running().SpanStart();
        var start = log.LastId;
        log.Thinking("hmm", "sig", 0).Message("Let me look.", 1).ToolUse("bash", new JsonObject { ["command"] = "ls" }, 2)
            .SpanEnd(start, "tool_use");
        var use = log.Events[^2].Id;
        log.ToolResult(use, "a.txt");

        var messages = (JsonArray)ContextBuilder.Build(TestAgents.Agent(), log.Events, TestAgents.Options).Body["messages"]!;

        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"list files"}]},"""
            + """{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Let me look."},{"type":"tool_use","id":"sevt_6","name":"bash","input":{"command":"ls"}}]},"""
            + """{"role":"user","content":[{"type":"tool_result","tool_use_id":"sevt_6","content":[{"type":"text","text":"a.txt"}],"cache_control":{"type":"ephemeral"}}]}]""",
            messages.ToJsonString());
    }

    [Fact]
    public void A_message_queued_during_a_response_follows_its_tool_results_in_the_same_user_turn()
    {
        var log = new LogBuilder().User("first").Running().SpanStart();
        var start = log.LastId;
        log.User("also this", processed: false)
            .ToolUse("bash", new JsonObject { ["command"] = "ls" }, 0).SpanEnd(start, "tool_use");
        var use = log.Events[^2].Id;
        log.ToolResult(use, "denied by policy", isError: true);

        var built = ContextBuilder.Build(TestAgents.Agent(), log.Events, TestAgents.Options);
        var messages = (JsonArray)built.Body["messages"]!;

        Assert.Equal(3, messages.Count);
        var last = (JsonArray)messages[2]!["content"]!;
        Assert.Equal("tool_result", (string?)last[0]!["type"]);
        Assert.True((bool)last[0]!["is_error"]!);
        Assert.Equal("also this", (string?)last[1]!["text"]);
        Assert.Equal(["sevt_4"], built.ConsumedUserEventIds);
    }

    [Fact]
    public void Consecutive_user_messages_merge_and_failed_requests_leave_no_trace()
    {
        var log = new LogBuilder().User("one").User("two").Running().SpanStart();
        log.SpanEnd(log.LastId, isError: true).Add("session.error").Add("session.status_rescheduled");

        var messages = (JsonArray)ContextBuilder.Build(TestAgents.Agent(), log.Events, TestAgents.Options).Body["messages"]!;

        var only = Assert.Single(messages);
        Assert.Equal(["one", "two"], ((JsonArray)only!["content"]!).Select(b => (string?)b!["text"]));
    }

    [Fact]
    public void The_same_log_always_gives_the_same_bytes()
    {
        var log = new LogBuilder().User("x").Running().SpanStart();
        log.Message("y", 0).SpanEnd(log.Events[^2].Id).Idle().User("z", processed: false);

        var first = ContextBuilder.Build(TestAgents.Agent(), log.Events, TestAgents.Options).Body.ToJsonString();
        var second = ContextBuilder.Build(TestAgents.Agent(), [.. log.Events], TestAgents.Options).Body.ToJsonString();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Tools_follow_the_toolset_config_and_custom_tools_come_after_it()
    {
        var agent = TestAgents.Agent(new JsonArray(
            TestAgents.Toolset("always_allow", ("read", false, "always_allow")),
            TestAgents.Custom("lookup")));

        var tools = (JsonArray)ContextBuilder.Build(agent, new LogBuilder().User("x").Events, TestAgents.Options).Body["tools"]!;

        Assert.Equal(["bash", "lookup"], tools.Select(t => (string?)t!["name"]));
        Assert.NotNull(tools[1]!["cache_control"]);
        Assert.Null(tools[0]!["cache_control"]);
    }

    [Fact]
    public void After_compaction_the_context_starts_from_the_summary()
    {
        var log = new LogBuilder().User("old question").Running().SpanStart();
        log.Message("old answer", 0).SpanEnd(log.Events[^2].Id).Idle().User("new question");
        var upto = log.Events[^1].Seq - 1;
        log.Add("agent.thread_context_compacted", new JsonObject
        {
            ["_hangar"] = new JsonObject { ["summary"] = "They asked an old question.", ["upto_seq"] = upto },
        });

        var messages = (JsonArray)ContextBuilder.Build(TestAgents.Agent(), log.Events, TestAgents.Options).Body["messages"]!;

        var only = Assert.Single(messages);
        var content = (JsonArray)only!["content"]!;
        Assert.Equal(ContextBuilder.SummaryPreamble + "They asked an old question.", (string?)content[0]!["text"]);
        Assert.Equal("new question", (string?)content[1]!["text"]);
    }

    [Fact]
    public void An_agent_without_system_or_tools_sends_neither()
    {
        var body = ContextBuilder.Build(TestAgents.Agent(new JsonArray(), system: null), new LogBuilder().User("x").Events, TestAgents.Options).Body;

        Assert.False(body.ContainsKey("system"));
        Assert.False(body.ContainsKey("tools"));
    }
}
