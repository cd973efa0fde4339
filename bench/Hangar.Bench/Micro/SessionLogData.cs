using System.Text;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Context;
using Hangar.Harness.Log;
using Hangar.Harness.Models;
using Hangar.Harness.Turns;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;
using Hangar.Tools;

namespace Hangar.Bench.Micro;

/// <summary>
/// A session log as Hangar writes it, made by the real writers (<see cref="UserEvents"/> for the
/// client's messages, <see cref="ResponseEvents"/> and <see cref="HarnessEvents"/> for the
/// harness's), so sizes, escaping and the private <c>_hangar</c> sections are the real ones.
/// Each turn is 17 events: a user message, a response with thinking, text and a <c>bash</c> call
/// (≈1.3 KB of output), a response with text and a <c>read</c> call (≈3 KB of C#), a final answer,
/// usage and idle.
/// </summary>
public static class SessionLogData
{
    public const string SessionId = "sesn_011111111111111111111111";

    private static readonly DateTimeOffset Start = new(2026, 4, 8, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The session's agent snapshot: a model, a system prompt and the built-in toolset.</summary>
    public static JsonObject Agent() => new()
    {
        ["type"] = "agent",
        ["id"] = "agent_011111111111111111111111",
        ["version"] = 3,
        ["name"] = "repo-maintainer",
        ["model"] = new JsonObject { ["id"] = "claude-sonnet-4-5", ["speed"] = "standard" },
        ["system"] = "You maintain a C# repository. Run the tests before claiming a fix works; keep changes small and explain them briefly.",
        ["tools"] = new JsonArray(new JsonObject { ["type"] = AgentTools.ToolsetType }),
        ["mcp_servers"] = new JsonArray(),
        ["metadata"] = new JsonObject(),
    };

    public static ContextOptions Options() => new(BuiltInTools.Definitions(), MaxTokens: 16_000);

    /// <summary>The first <paramref name="count"/> events of a long session, as the store returns them.</summary>
    public static IReadOnlyList<EventRecord> Records(int count)
    {
        var tools = new AgentTools(Agent(), BuiltInTools.Definitions());
        var events = new List<NewEvent>();
        for (var turn = 0; events.Count < count; turn++)
        {
            AddTurn(events, tools, turn, Start.AddMinutes(turn));
        }
        return [.. events.Take(count).Select((e, i) => new EventRecord(SessionId, i + 1, e.Id, e.Type, e.Json, e.ProcessedAt ?? Start, i + 1))];
    }

    /// <summary>The log as the harness holds it in memory (each event's JSON parsed once).</summary>
    public static IReadOnlyList<LoggedEvent> Logged(int count) => [.. Records(count).Select(LoggedEvent.From)];

    /// <summary>The body of a <c>POST /v1/sessions/{id}/events</c> with one user message.</summary>
    public static string UserMessageBody(int turn) =>
        new JsonObject { ["events"] = new JsonArray(UserMessage(turn)) }.ToJsonString();

    private static JsonObject UserMessage(int turn) => new()
    {
        ["type"] = "user.message",
        ["content"] = new JsonArray(Text(
            $"Turn {turn}: the nightly build failed in Hangar.Storage.Tests. Find out why, fix it, and tell me what you changed and how you checked it.")),
    };

    private static void AddTurn(List<NewEvent> events, AgentTools tools, int turn, DateTimeOffset now)
    {
        events.AddRange(UserEvents.ParseSend(new JsonArray(UserMessage(turn)), new UserEvents.Context(SelfHosted: false), now));
        events.Add(HarnessEvents.Status("session.status_running", now));
        var bash = Response(events, tools, now,
            new JsonObject { ["type"] = "thinking", ["thinking"] = Repeat("The failure is probably the fixture; check the test output first. ", 8), ["signature"] = Repeat("EqQBCkgIARABGAIiQL", 20) },
            Text("Let me run the failing tests to see the error."),
            ToolUse("bash", new JsonObject { ["command"] = "cd /workspace && dotnet test tests/Hangar.Storage.Tests --filter Migrations 2>&1 | tail -40" }));
        events.Add(HarnessEvents.ToolResult(bash!, "agent.tool_result", new JsonArray(Text(TestOutput(turn))), false, now));
        var read = Response(events, tools, now,
            Text("The fixture never migrates the schema. Let me read it."),
            ToolUse("read", new JsonObject { ["file_path"] = "/workspace/tests/Hangar.Storage.Tests/StoreFixture.cs" }));
        events.Add(HarnessEvents.ToolResult(read!, "agent.tool_result", new JsonArray(Text(SourceFile())), false, now));
        Response(events, tools, now, Text(Repeat("I added the missing migration call to the fixture and re-ran the suite: all 214 tests pass. ", 3)));
        events.Add(HarnessEvents.Usage(new JsonObject { ["input_tokens"] = 12_000 * (turn + 1), ["output_tokens"] = 900 * (turn + 1) }, now));
        events.Add(HarnessEvents.Idle(HarnessEvents.StopReason("end_turn"), now));
    }

    /// <summary>One model request's events (span start, the response's events, span end); returns the tool_use id, if any.</summary>
    private static string? Response(List<NewEvent> events, AgentTools tools, DateTimeOffset now, params JsonObject[] blocks)
    {
        var startId = Ids.New(Ids.Event);
        events.Add(HarnessEvents.ModelRequestStart(startId, now));
        var usage = new ModelUsage(12_000, 400, 11_000, 600);
        var stop = blocks.Any(b => (string?)b["type"] == "tool_use") ? "tool_use" : "end_turn";
        var response = ResponseEvents.From(new ModelResponse(blocks, stop, usage), tools, now);
        events.AddRange(response);
        events.Add(HarnessEvents.ModelRequestEnd(startId, false, usage, stop, now));
        return response.LastOrDefault(e => e.Type == "agent.tool_use")?.Id;
    }

    public static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject ToolUse(string name, JsonObject input) =>
        new() { ["type"] = "tool_use", ["id"] = "toolu_01" + Guid.NewGuid().ToString("N")[..22], ["name"] = name, ["input"] = input };

    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

    /// <summary>≈1.3 KB of test-runner output (quotes, paths and newlines to escape).</summary>
    public static string TestOutput(int turn)
    {
        var text = new StringBuilder();
        text.Append("  Determining projects to restore...\n  All projects are up-to-date for restore.\n");
        for (var i = 0; i < 6; i++)
        {
            text.Append($"  Failed Hangar.Storage.Tests.MigrationTests.Case_{turn}_{i} [12 ms]\n")
                .Append("  Error Message:\n   Microsoft.Data.Sqlite.SqliteException : SQLite Error 1: 'no such table: \"events\"'.\n");
        }
        text.Append("Failed!  - Failed:     6, Passed:   208, Skipped:     0, Total:   214, Duration: 3 s");
        return text.ToString();
    }

    /// <summary>≈3 KB of C# as the read tool returns it.</summary>
    public static string SourceFile()
    {
        var text = new StringBuilder("using Hangar.Storage;\n\nnamespace Hangar.Storage.Tests;\n\npublic sealed class StoreFixture : IAsyncLifetime\n{\n");
        for (var i = 0; text.Length < 3000; i++)
        {
            text.Append($"    // Opens store {i} under a fresh \"temp\" directory; disposes it after the test.\n")
                .Append($"    public async Task<IHangarStore> Open{i}Async() => await HangarStore.OpenAsync(new StoreOptions(DataDirectory: Path.Combine(_root, \"s{i}\")), default);\n");
        }
        return text.Append("}\n").ToString();
    }
}
