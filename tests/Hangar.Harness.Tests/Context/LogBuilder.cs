using System.Text.Json.Nodes;
using Hangar.Harness.Log;

namespace Hangar.Harness.Tests.Context;

/// <summary>Hand-built session logs with predictable ids (sevt_1, sevt_2, …) for pure tests.</summary>
internal sealed class LogBuilder
{
    private readonly List<LoggedEvent> _events = [];
    private static readonly DateTimeOffset At = new(2026, 4, 8, 12, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<LoggedEvent> Events => _events;

    public string LastId => _events[^1].Id;

    public LogBuilder Add(string type, JsonObject? fields = null, bool processed = true)
    {
        var seq = _events.Count + 1;
        var json = new JsonObject { ["type"] = type, ["id"] = $"sevt_{seq}" };
        foreach (var (key, value) in fields ?? [])
        {
            json[key] = value?.DeepClone();
        }
        _events.Add(new LoggedEvent(seq, $"sevt_{seq}", type, json, processed ? At : null));
        return this;
    }

    public LogBuilder User(string text, bool processed = true) =>
        Add("user.message", new JsonObject { ["content"] = new JsonArray(Text(text)) }, processed);

    public LogBuilder Running() => Add("session.status_running");

    public LogBuilder Idle(JsonObject? stopReason = null) =>
        Add("session.status_idle", new JsonObject { ["stop_reason"] = stopReason ?? new JsonObject { ["type"] = "end_turn" } });

    public LogBuilder SpanStart() => Add("span.model_request_start");

    public LogBuilder SpanEnd(string startId, string stopReason = "end_turn", bool isError = false) =>
        Add("span.model_request_end", new JsonObject
        {
            ["model_request_start_id"] = startId,
            ["is_error"] = isError,
            ["_hangar"] = isError ? null : new JsonObject { ["stop_reason"] = stopReason },
        });

    public LogBuilder Message(string text, int index) =>
        Add("agent.message", new JsonObject { ["content"] = new JsonArray(Text(text)), ["_hangar"] = Index(index) });

    public LogBuilder Thinking(string thinking, string signature, int index) =>
        Add("agent.thinking", new JsonObject
        {
            ["_hangar"] = new JsonObject
            {
                ["index"] = new JsonArray(index),
                ["block"] = new JsonObject { ["type"] = "thinking", ["thinking"] = thinking, ["signature"] = signature },
            },
        });

    public LogBuilder ToolUse(string name, JsonObject input, int index, string permission = "allow") =>
        Add("agent.tool_use", new JsonObject
        {
            ["name"] = name,
            ["input"] = input,
            ["evaluated_permission"] = permission,
            ["_hangar"] = Index(index),
        });

    public LogBuilder CustomToolUse(string name, JsonObject input, int index) =>
        Add("agent.custom_tool_use", new JsonObject { ["name"] = name, ["input"] = input, ["_hangar"] = Index(index) });

    public LogBuilder ToolResult(string useId, string text, bool isError = false) =>
        Add("agent.tool_result", new JsonObject { ["tool_use_id"] = useId, ["content"] = new JsonArray(Text(text)), ["is_error"] = isError });

    public LogBuilder Confirmation(string useId, string result, string? denyMessage = null, bool processed = false) =>
        Add("user.tool_confirmation", new JsonObject { ["tool_use_id"] = useId, ["result"] = result, ["deny_message"] = denyMessage }, processed);

    public LogBuilder CustomResult(string useId, string text, bool processed = false) =>
        Add("user.custom_tool_result", new JsonObject { ["custom_tool_use_id"] = useId, ["content"] = new JsonArray(Text(text)), ["is_error"] = false }, processed);

    public static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject Index(int index) => new() { ["index"] = new JsonArray(index) };
}
