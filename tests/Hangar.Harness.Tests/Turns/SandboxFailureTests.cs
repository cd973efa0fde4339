using System.Text.Json.Nodes;
using Hangar.FakeModel;

namespace Hangar.Harness.Tests.Turns;

/// <summary>A sandbox that cannot be provisioned ends the turn with a clear error instead of leaving the session running.</summary>
public sealed class SandboxFailureTests
{
    [Fact]
    public async Task An_environment_package_that_cannot_be_installed_ends_the_turn_with_a_session_error()
    {
        await using var host = await HarnessHost.StartAsync();
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo never" }));
        var packages = new JsonObject { ["type"] = "packages" };
        foreach (var manager in new[] { "apt", "cargo", "gem", "go", "npm", "pip" })
            packages[manager] = new JsonArray();
        packages["apt"] = new JsonArray("hangar-no-such-package");
        var session = await host.CreateSessionAsync(environmentConfig: new JsonObject { ["type"] = "cloud", ["packages"] = packages });

        await host.SendTextAsync(session, "run it");
        var events = await host.WaitForIdleAsync(session);

        Assert.Equal(
            ["user.message", "session.status_running", "span.model_request_start", "agent.tool_use", "span.model_request_end",
             "agent.tool_result", "session.error", "session.usage", "session.status_idle"],
            Events.Types(events));
        var error = Events.Single(events, "session.error")["error"]!;
        Assert.Equal("unknown_error", (string?)error["type"]);
        Assert.Equal("exhausted", (string?)error["retry_status"]!["type"]);
        Assert.Contains("apt", (string?)error["message"]);
        Assert.Contains("hangar-no-such-package", (string?)error["message"]);
        var result = Events.Single(events, "agent.tool_result");
        Assert.True((bool?)result["is_error"]);
        Assert.Contains("hangar-no-such-package", result["content"]!.ToJsonString());
        Assert.Equal("retries_exhausted", Events.StopReason(events[^1]));
        Assert.Equal("idle", (string?)(await host.GetAsync($"/v1/sessions/{session}"))["status"]);
    }
}
