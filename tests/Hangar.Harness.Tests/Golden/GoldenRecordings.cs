using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Tests.Turns;

namespace Hangar.Harness.Tests.Golden;

/// <summary>
/// The live runs the golden logs were recorded from. Skipped unless <c>HANGAR_RECORD_GOLDEN=1</c>:
/// re-record only on purpose (a new shape, or a log format change), e.g.
/// <c>HANGAR_RECORD_GOLDEN=1 dotnet test tests/Hangar.Harness.Tests --filter FullyQualifiedName~GoldenRecordings</c>,
/// then review the new logs and expectations in git. Ids and timestamps differ on every recording.
/// </summary>
public sealed class GoldenRecordings
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [RecordFact]
    public async Task Plain_turn()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.Text("Hello! How can I help?"));
        host.Model.Enqueue(FakeReply.Thinking("The user says thanks.").ThenText("You're welcome."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Hi there");
        await host.WaitForIdleAsync(session);
        await host.SendTextAsync(session, "Thanks");
        await host.WaitForIdleAsync(session, 2);
        await recorder.SaveAsync("plain_turn", "Two plain turns: a text reply, then thinking and text.", session);
    }

    [RecordFact]
    public async Task Builtin_tool()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo hello from bash" })
            .ThenToolUse("write", new { file_path = "/workspace/notes.txt", content = "remember this\n" }));
        host.Model.Enqueue(FakeReply.ToolUse("read", new { file_path = "/workspace/notes.txt" }));
        host.Model.Enqueue(FakeReply.Text("Done: wrote and read the note."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Say hello, then keep a note and read it back.");
        await host.WaitForIdleAsync(session);
        await recorder.SaveAsync("builtin_tool", "Built-in tools run in the sandbox: two calls in one response, then a third.", session);
    }

    [RecordFact]
    public async Task Custom_tool()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        var custom = new JsonObject
        {
            ["type"] = "custom",
            ["name"] = "lookup_order",
            ["description"] = "Finds an order.",
            ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["id"] = new JsonObject { ["type"] = "string" } } },
        };
        host.Model.Enqueue(FakeReply.ToolUse("lookup_order", new { id = "1234" }));
        host.Model.Enqueue(FakeReply.Text("It shipped yesterday."));
        var session = await host.CreateSessionAsync(new JsonArray(custom));
        await host.SendTextAsync(session, "Where is my order 1234?");
        var waiting = await host.WaitForIdleAsync(session);
        await host.SendAsync(session, new JsonObject
        {
            ["type"] = "user.custom_tool_result",
            ["custom_tool_use_id"] = Events.Single(waiting, "agent.custom_tool_use")["id"]!.DeepClone(),
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "shipped 2026-04-07" }),
        });
        await host.WaitForIdleAsync(session, 2);
        await recorder.SaveAsync("custom_tool", "A custom tool: requires_action, the client's result resumes the turn.", session);
    }

    [RecordFact]
    public Task Ask_allow() => RecordAskAsync("allow");

    [RecordFact]
    public Task Ask_deny() => RecordAskAsync("deny");

    private static async Task RecordAskAsync(string decision)
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo confirmed" }));
        host.Model.Enqueue(FakeReply.Text(decision == "allow" ? "It ran." : "Understood, I won't run it."));
        var session = await host.CreateSessionAsync(new JsonArray(new JsonObject
        {
            ["type"] = "agent_toolset_20260401",
            ["default_config"] = new JsonObject { ["permission_policy"] = new JsonObject { ["type"] = "always_ask" } },
        }));
        await host.SendTextAsync(session, "Run the command.");
        var waiting = await host.WaitForIdleAsync(session);
        var confirmation = new JsonObject
        {
            ["type"] = "user.tool_confirmation",
            ["tool_use_id"] = Events.Single(waiting, "agent.tool_use")["id"]!.DeepClone(),
            ["result"] = decision,
        };
        if (decision == "deny")
        {
            confirmation["deny_message"] = "Not on my machine.";
        }
        await host.SendAsync(session, confirmation);
        await host.WaitForIdleAsync(session, 2);
        await recorder.SaveAsync($"ask_{decision}", $"always_ask: the call waits for a confirmation, which {decision}s it.", session);
    }

    [RecordFact]
    public async Task Interrupt()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.Text(string.Join(' ', Enumerable.Repeat("slowly", 200))).WithTokenDelay(TimeSpan.FromMilliseconds(100)));
        host.Model.Enqueue(FakeReply.Text("Picking up where we left off."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Tell me a long story.");
        await host.Model.WaitForRequestsAsync(1, Long);
        await host.SendAsync(session, new JsonObject { ["type"] = "user.interrupt" });
        await host.WaitForIdleAsync(session);
        await host.SendTextAsync(session, "Go on, briefly.");
        await host.WaitForIdleAsync(session, 2);
        await recorder.SaveAsync("interrupt", "An interrupt mid-response ends the turn; the next message starts a new one.", session);
    }

    [RecordFact]
    public async Task Model_retries()
    {
        await using var recorder = await GoldenRecorder.StartAsync(s => s with { MaxModelAttempts = 3 });
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.Fault(529, retryAfterSeconds: 0));
        host.Model.Enqueue(FakeReply.Fault(500));
        host.Model.Enqueue(FakeReply.Text("Third time lucky."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Hello?");
        await host.WaitForIdleAsync(session);
        await recorder.SaveAsync("model_retries", "overloaded, then a 500, then success: rescheduled twice within one turn.", session);
    }

    [RecordFact]
    public async Task Compaction()
    {
        // A threshold this low compacts every request that has an older response to summarise.
        await using var recorder = await GoldenRecorder.StartAsync(s => s with { CompactionThreshold = 0.0001 });
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.Text("The capital of France is Paris."));
        host.Model.Enqueue(FakeReply.Text("Summary: the user asked about the capital of France (Paris)."));
        host.Model.Enqueue(FakeReply.Text("Berlin is Germany's capital."));
        var session = await host.CreateSessionAsync(new JsonArray());
        await host.SendTextAsync(session, "What is the capital of France?");
        await host.WaitForIdleAsync(session);
        await host.SendTextAsync(session, "And of Germany?");
        await host.WaitForIdleAsync(session, 2);
        await recorder.SaveAsync("compaction", "The second turn's context passes the threshold: the first turn is summarised first.", session);
    }

    [RecordFact]
    public async Task Crash_open_request()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.Text("never delivered").WithTimeToFirstToken(TimeSpan.FromMinutes(5)));
        host.Model.Enqueue(FakeReply.Text("Answered after the restart."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Hello?");
        await host.Model.WaitForRequestsAsync(1, Long);
        await host.StopServerAsync(); // The worker goes with its model request open.
        await host.StartServerAsync();
        await host.WaitForIdleAsync(session, timeout: Long);
        await recorder.SaveAsync("crash_open_request", "The worker stopped mid model request (span start, no end); the next one closes it and retries.", session);
    }

    [RecordFact]
    public async Task Crash_open_tool_call()
    {
        await using var recorder = await GoldenRecorder.StartAsync();
        var host = recorder.Host;
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "sleep 2; echo finished" }));
        host.Model.Enqueue(FakeReply.Text("The command finished."));
        var session = await host.CreateSessionAsync();
        await host.SendTextAsync(session, "Run the slow command.");
        await host.WaitForAsync(session, events => Events.Types(events).Contains("agent.tool_use"), Long);
        await host.StopServerAsync(); // The worker goes with the call unanswered.
        await host.StartServerAsync();
        await host.WaitForIdleAsync(session, timeout: Long);
        await recorder.SaveAsync("crash_open_tool_call", "The worker stopped mid tool call (tool_use, no result); the next one runs the call again.", session);
    }
}
