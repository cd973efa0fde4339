using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Tests.Turns;

namespace Hangar.Harness.Tests.Mcp;

/// <summary>
/// MCP tools end to end: a real MCP server on loopback requiring a bearer token, a Hangar server
/// whose fake model calls the tool, and the harness in between (discovery, permission, call).
/// </summary>
public sealed class McpToolTurnTests
{
    private static readonly object IssueInput = new { title = "Login page crashes" };

    [Fact]
    public async Task With_the_right_credential_the_call_reaches_the_server_and_the_model_gets_its_output()
    {
        await using var mcp = await TestMcpServer.StartAsync();
        var credentials = new TableCredentials(new Dictionary<string, string> { [mcp.Url.ToString()] = mcp.Token });
        await using var host = await HarnessHost.StartAsync(configure: s => s with { McpCredentials = credentials, AllowPrivateEgress = true });
        host.Model.Enqueue(FakeReply.ToolUse("mcp__tracker__create_issue", IssueInput));
        host.Model.Enqueue(FakeReply.Text("Filed it."));
        var session = await host.CreateSessionAsync(McpAgent.Tools("always_allow"), mcpServers: McpAgent.Servers(mcp.Url));

        await host.SendTextAsync(session, "file a bug");
        var events = await host.WaitForIdleAsync(session);

        Assert.Equal(["Login page crashes"], mcp.Issues);
        Assert.DoesNotContain(events, e => Events.TypeOf(e) == "session.error");
        var use = Events.Single(events, "agent.mcp_tool_use");
        Assert.Equal("tracker", (string?)use["mcp_server_name"]);
        Assert.Equal("create_issue", (string?)use["name"]);
        Assert.Equal("allow", (string?)use["evaluated_permission"]);
        Assert.Equal("always_allow", (string?)use["evaluation"]?["type"]);
        var result = Events.Single(events, "agent.mcp_tool_result");
        Assert.Equal((string?)use["id"], (string?)result["mcp_tool_use_id"]);
        Assert.False((bool)result["is_error"]!);
        Assert.Equal("Created issue #1: Login page crashes", (string?)result["content"]![0]!["text"]);
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        McpAgent.AssertSdkShapes(events);

        // The model was offered the server's tools and saw the server's answer under the event's id.
        var offered = (host.Model.Requests[0].Body!["tools"] as JsonArray)!.Select(t => (string?)t!["name"]).ToList();
        Assert.Contains("mcp__tracker__create_issue", offered);
        Assert.Contains("mcp__tracker__list_issues", offered);
        var seen = host.Model.Requests[1].Messages[^1]!["content"]![0]!;
        Assert.Equal((string?)use["id"], (string?)seen["tool_use_id"]);
        Assert.Contains("Created issue #1", seen.ToJsonString());
        Assert.Equal("mcp__tracker__create_issue", (string?)host.Model.Requests[1].Messages[^2]!["content"]![0]!["name"]);

        // The token went to the server, never into the log; the credential was asked for this session.
        Assert.All(mcp.AuthorizationHeaders, h => Assert.Equal("Bearer " + mcp.Token, h));
        Assert.DoesNotContain(mcp.Token, string.Concat(events.Select(e => e.ToJsonString())));
        Assert.All(credentials.Requests, r => Assert.Equal((session, "tracker"), (r.SessionId, r.ServerName)));
    }

    [Fact]
    public async Task Without_a_credential_the_call_fails_with_an_authentication_error_and_the_turn_ends_cleanly()
    {
        await using var mcp = await TestMcpServer.StartAsync();
        await using var host = await HarnessHost.StartAsync(configure: s => s with { AllowPrivateEgress = true });
        host.Model.Enqueue(FakeReply.ToolUse("mcp__tracker__create_issue", IssueInput));
        host.Model.Enqueue(FakeReply.Text("I could not file it."));
        var session = await host.CreateSessionAsync(McpAgent.Tools("always_allow"), mcpServers: McpAgent.Servers(mcp.Url));

        await host.SendTextAsync(session, "file a bug");
        var events = await host.WaitForIdleAsync(session);

        Assert.Empty(mcp.Issues);
        var errors = events.Where(e => Events.TypeOf(e) == "session.error").Select(e => e["error"]!).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, error =>
        {
            Assert.Equal("mcp_authentication_failed_error", (string?)error["type"]);
            Assert.Equal("tracker", (string?)error["mcp_server_name"]);
            Assert.Contains("no vault of this session holds a credential", (string?)error["message"]);
        });
        var result = Events.Single(events, "agent.mcp_tool_result");
        Assert.True((bool)result["is_error"]!);
        Assert.Contains("Authentication to the MCP server 'tracker' failed", (string?)result["content"]![0]!["text"]);
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        Assert.Equal("idle", (string?)(await host.GetAsync($"/v1/sessions/{session}"))["status"]);
        McpAgent.AssertSdkShapes(events);
        // Tools the server would not list are not offered.
        Assert.DoesNotContain("mcp__tracker__", host.Model.Requests[0].Body!["tools"]!.ToJsonString());
    }

    [Fact]
    public async Task By_default_an_mcp_tool_asks_first_and_runs_once_confirmed()
    {
        await using var mcp = await TestMcpServer.StartAsync();
        var credentials = new TableCredentials(new Dictionary<string, string> { [mcp.Url.ToString()] = mcp.Token });
        await using var host = await HarnessHost.StartAsync(configure: s => s with { McpCredentials = credentials, AllowPrivateEgress = true });
        host.Model.Enqueue(FakeReply.ToolUse("mcp__tracker__create_issue", IssueInput));
        host.Model.Enqueue(FakeReply.Text("Filed it."));
        var session = await host.CreateSessionAsync(McpAgent.Tools(defaultPolicy: null), mcpServers: McpAgent.Servers(mcp.Url));

        await host.SendTextAsync(session, "file a bug");
        var waiting = await host.WaitForIdleAsync(session);
        var use = Events.Single(waiting, "agent.mcp_tool_use");
        Assert.Equal("ask", (string?)use["evaluated_permission"]);
        Assert.Equal("always_ask", (string?)use["evaluation"]?["type"]);
        Assert.Equal("requires_action", Events.StopReason(waiting[^1]));
        Assert.Equal((string?)use["id"], (string?)waiting[^1]["stop_reason"]!["event_ids"]![0]);
        Assert.Empty(mcp.Issues);

        await host.SendAsync(session, new JsonObject { ["type"] = "user.tool_confirmation", ["tool_use_id"] = (string?)use["id"], ["result"] = "allow" });
        var events = await host.WaitForIdleAsync(session, count: 2);

        Assert.Equal(["Login page crashes"], mcp.Issues);
        var result = Events.Single(events, "agent.mcp_tool_result");
        Assert.False((bool)result["is_error"]!);
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        McpAgent.AssertSdkShapes(events);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_and_the_session_carries_on_without_it()
    {
        var mcp = await TestMcpServer.StartAsync();
        var url = mcp.Url;
        await mcp.DisposeAsync(); // Nothing listens there any more: connections are refused.
        await using var host = await HarnessHost.StartAsync(configure: s => s with { AllowPrivateEgress = true });
        host.Model.Enqueue(FakeReply.ToolUse("mcp__tracker__create_issue", IssueInput));
        host.Model.Enqueue(FakeReply.Text("The tracker is down."));
        var session = await host.CreateSessionAsync(McpAgent.Tools("always_allow"), mcpServers: McpAgent.Servers(url));

        await host.SendTextAsync(session, "file a bug");
        var events = await host.WaitForIdleAsync(session);

        var error = events.First(e => Events.TypeOf(e) == "session.error")["error"]!;
        Assert.Equal("mcp_connection_failed_error", (string?)error["type"]);
        Assert.Equal("tracker", (string?)error["mcp_server_name"]);
        Assert.Equal("retrying", (string?)error["retry_status"]?["type"]);
        Assert.True((bool)Events.Single(events, "agent.mcp_tool_result")["is_error"]!);
        Assert.Equal(2, host.Model.Requests.Count);
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        McpAgent.AssertSdkShapes(events);

        // The next turn tries the server again (and still reports it).
        host.Model.Enqueue(FakeReply.Text("Still down."));
        await host.SendTextAsync(session, "try again");
        var next = await host.WaitForIdleAsync(session, count: 2);
        Assert.Equal(events.Count(e => Events.TypeOf(e) == "session.error") + 1, next.Count(e => Events.TypeOf(e) == "session.error"));
    }

    [Fact]
    public async Task A_loopback_server_is_refused_unless_private_egress_is_allowed()
    {
        await using var mcp = await TestMcpServer.StartAsync();
        var credentials = new TableCredentials(new Dictionary<string, string> { [mcp.Url.ToString()] = mcp.Token });
        await using var host = await HarnessHost.StartAsync(configure: s => s with { McpCredentials = credentials, AllowPrivateEgress = false });
        host.Model.Enqueue(FakeReply.Text("No tracker."));
        var session = await host.CreateSessionAsync(McpAgent.Tools("always_allow"), mcpServers: McpAgent.Servers(mcp.Url));

        await host.SendTextAsync(session, "file a bug");
        var events = await host.WaitForIdleAsync(session);

        var error = Events.Single(events, "session.error")["error"]!;
        Assert.Equal("mcp_connection_failed_error", (string?)error["type"]);
        Assert.Equal("tracker", (string?)error["mcp_server_name"]);
        Assert.Contains("loopback", (string?)error["message"]);
        Assert.Contains("--allow-private-egress", (string?)error["message"]); // The fix is named.
        Assert.Empty(mcp.AuthorizationHeaders); // No request reached the server.
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
    }
}
