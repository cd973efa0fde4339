using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;

namespace Hangar.Harness.Tests.Turns;

/// <summary>Permissions, interrupts, retries and restarts, end to end.</summary>
public sealed class ControlTests
{
    private static JsonArray AskingToolset() => new(new JsonObject
    {
        ["type"] = "agent_toolset_20260401",
        ["default_config"] = new JsonObject { ["permission_policy"] = new JsonObject { ["type"] = "always_ask" } },
    });

    [Theory]
    [InlineData("allow")]
    [InlineData("deny")]
    public async Task Always_ask_waits_for_a_confirmation_and_follows_it(string decision)
    {
        await using var host = await HarnessHost.StartAsync();
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo confirmed" }));
        host.Model.Enqueue(FakeReply.Text("ok"));
        var session = await host.CreateSessionAsync(AskingToolset());

        await host.SendTextAsync(session, "run it");
        var waiting = await host.WaitForIdleAsync(session);
        var use = Events.Single(waiting, "agent.tool_use");
        Assert.Equal("ask", (string?)use["evaluated_permission"]);
        Assert.Equal("always_ask", (string?)use["evaluation"]?["type"]);
        Assert.Equal("requires_action", Events.StopReason(waiting[^1]));

        var confirmation = new JsonObject { ["type"] = "user.tool_confirmation", ["tool_use_id"] = use["id"]!.DeepClone(), ["result"] = decision };
        if (decision == "deny")
        {
            confirmation["deny_message"] = "not on my machine";
        }
        await host.SendAsync(session, confirmation);
        var done = await host.WaitForIdleAsync(session, 2);

        Assert.Equal("end_turn", Events.StopReason(done[^1]));
        var result = Events.Single(done, "agent.tool_result");
        var seen = (JsonObject)host.Model.Requests[1].Messages[^1]!["content"]![0]!;
        Assert.Equal((string?)use["id"], (string?)seen["tool_use_id"]);
        if (decision == "allow")
        {
            Assert.False((bool)result["is_error"]!);
            Assert.Contains("confirmed", seen.ToJsonString());
        }
        else
        {
            Assert.True((bool)result["is_error"]!);
            Assert.True((bool)seen["is_error"]!);
            Assert.Contains("not on my machine", seen.ToJsonString());
        }
    }

    [Fact]
    public async Task An_interrupt_stops_a_streaming_response_promptly()
    {
        await using var host = await HarnessHost.StartAsync();
        // A response that streams for two minutes: idle well before that proves the interrupt cut it
        // short, without a wall-clock bound a loaded machine could overrun.
        host.Model.Enqueue(FakeReply.Text(string.Join(' ', Enumerable.Repeat("slowly", 1200))).WithTokenDelay(TimeSpan.FromMilliseconds(100)));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "talk");
        await host.Model.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));

        await host.SendAsync(session, new JsonObject { ["type"] = "user.interrupt" });
        var events = await host.WaitForIdleAsync(session, timeout: TimeSpan.FromSeconds(60));

        Assert.DoesNotContain("agent.message", Events.Types(events));
        Assert.True((bool)Events.Single(events, "span.model_request_end")["is_error"]!);
        Assert.NotNull((string?)Events.Single(events, "user.interrupt")["processed_at"]);
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
    }

    [Fact]
    public async Task An_interrupt_stops_a_long_bash_command_and_closes_the_call()
    {
        await using var host = await HarnessHost.StartAsync();
        // Two minutes of sleep: idle well before that proves the interrupt stopped it (no wall-clock bound).
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "sleep 121.5" }));
        host.Model.Enqueue(FakeReply.Text("next turn"));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "wait a while");
        await HostProcesses.WaitUntilRunningAsync(CancellationToken.None, "sleep", "121.5"); // The command really runs (in its sandbox).

        await host.SendAsync(session, new JsonObject { ["type"] = "user.interrupt" });
        var events = await host.WaitForIdleAsync(session, timeout: TimeSpan.FromSeconds(60));

        var result = Events.Single(events, "agent.tool_result");
        Assert.True((bool)result["is_error"]!);
        Assert.Equal((string?)Events.Single(events, "agent.tool_use")["id"], (string?)result["tool_use_id"]);

        // The next message starts a new turn whose context still pairs the call with its result.
        await host.SendTextAsync(session, "go on");
        await host.WaitForIdleAsync(session, 2);
        var messages = host.Model.Requests[1].Messages;
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
    }

    [Fact]
    public async Task A_rate_limit_is_retried_and_the_turn_still_ends()
    {
        await using var host = await HarnessHost.StartAsync();
        host.Model.Enqueue(FakeReply.Fault(429, retryAfterSeconds: 0));
        host.Model.Enqueue(FakeReply.Text("made it"));
        var session = await host.CreateSessionAsync();

        await host.SendTextAsync(session, "hello");
        var events = await host.WaitForIdleAsync(session);

        var error = Events.Single(events, "session.error");
        Assert.Equal("model_rate_limited_error", (string?)error["error"]!["type"]);
        Assert.Equal("retrying", (string?)error["error"]!["retry_status"]!["type"]);
        var types = Events.Types(events);
        Assert.True(types.IndexOf("session.status_rescheduled") < types.LastIndexOf("session.status_running"));
        Assert.Equal(2, types.Count(t => t == "session.status_running"));
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        Assert.Equal(host.Model.Requests[0].RawBody, host.Model.Requests[^1].RawBody);
    }

    [Fact]
    public async Task Retries_run_out_and_the_session_idles_with_retries_exhausted()
    {
        await using var host = await HarnessHost.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            host.Model.Enqueue(FakeReply.Fault(529));
        }
        var session = await host.CreateSessionAsync();

        await host.SendTextAsync(session, "hello");
        var events = await host.WaitForIdleAsync(session);

        var errors = events.Where(e => Events.TypeOf(e) == "session.error").ToList();
        Assert.Equal(["retrying", "retrying", "exhausted"], errors.Select(e => (string?)e["error"]!["retry_status"]!["type"]));
        Assert.All(errors, e => Assert.Equal("model_overloaded_error", (string?)e["error"]!["type"]));
        Assert.Equal("retries_exhausted", Events.StopReason(events[^1]));
        Assert.Equal("idle", (string?)(await host.GetAsync($"/v1/sessions/{session}"))["status"]);
    }

    [Fact]
    public async Task After_a_restart_mid_request_the_rebuilt_request_is_byte_identical()
    {
        await using var host = await HarnessHost.StartAsync();
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo one" }).WithText("Step one."));
        host.Model.Enqueue(FakeReply.Text("never delivered").WithTimeToFirstToken(TimeSpan.FromSeconds(20)));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "two steps");
        await host.Model.WaitForRequestsAsync(2, TimeSpan.FromSeconds(10));

        await host.StopServerAsync();
        host.Model.Enqueue(FakeReply.Text("done"));
        await host.StartServerAsync();
        var events = await host.WaitForIdleAsync(session);

        Assert.Equal("end_turn", Events.StopReason(events[^1]));
        Assert.Equal(3, host.Model.Requests.Count);
        Assert.Equal(host.Model.Requests[1].RawBody, host.Model.Requests[2].RawBody);
        Assert.Single(events, e => Events.TypeOf(e) == "agent.tool_result");
    }
}
