using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Models;
using Hangar.Storage;

namespace Hangar.Harness.Log;

/// <summary>
/// The events the harness writes, shaped exactly as api.md §9 (every R field present, processed_at
/// set). What context rebuilding needs beyond the wire shape goes under <see cref="PrivateKey"/>,
/// which the server strips from every event it returns.
/// </summary>
public static class HarnessEvents
{
    public const string PrivateKey = "_hangar";

    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static NewEvent Status(string type, DateTimeOffset now) => Build(type, now, _ => { });

    public static NewEvent Idle(JsonObject stopReason, DateTimeOffset now, JsonObject? stopDetails = null) =>
        Build("session.status_idle", now, e =>
        {
            e["stop_reason"] = stopReason;
            e["stop_details"] = stopDetails;
        });

    public static JsonObject StopReason(string type) => new() { ["type"] = type };

    public static JsonObject RequiresAction(IEnumerable<string> eventIds) => new()
    {
        ["type"] = "requires_action",
        ["event_ids"] = new JsonArray([.. eventIds.Select(id => (JsonNode)id)]),
    };

    /// <param name="hidden">Private data to keep on the event (e.g. the turn's MCP tool catalog), or null.</param>
    public static NewEvent ModelRequestStart(string id, DateTimeOffset now, JsonObject? hidden = null) =>
        Build(id, "span.model_request_start", now, e =>
        {
            if (hidden is not null)
            {
                e[PrivateKey] = hidden;
            }
        });

    public static NewEvent ModelRequestEnd(string startId, bool isError, ModelUsage usage, string? stopReason, DateTimeOffset now) =>
        Build("span.model_request_end", now, e =>
        {
            e["model_request_start_id"] = startId;
            e["is_error"] = isError;
            e["model_usage"] = new JsonObject
            {
                ["input_tokens"] = usage.InputTokens,
                ["output_tokens"] = usage.OutputTokens,
                ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
                ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
            };
            if (stopReason is not null)
            {
                e[PrivateKey] = new JsonObject { ["stop_reason"] = stopReason };
            }
        });

    public static NewEvent Error(string errorType, string message, string retryStatus, DateTimeOffset now) =>
        Build("session.error", now, e => e["error"] = new JsonObject
        {
            ["type"] = errorType,
            ["message"] = message,
            ["retry_status"] = new JsonObject { ["type"] = retryStatus },
        });

    /// <summary>An MCP server failed; the session carries on without it (its next use tries again).</summary>
    public static NewEvent McpError(string errorType, string serverName, string message, DateTimeOffset now) =>
        Build("session.error", now, e => e["error"] = new JsonObject
        {
            ["type"] = errorType,
            ["message"] = message,
            ["retry_status"] = new JsonObject { ["type"] = "retrying" },
            ["mcp_server_name"] = serverName,
        });

    public static NewEvent Usage(JsonObject usage, DateTimeOffset now) =>
        Build("session.usage", now, e =>
        {
            e["usage"] = usage.DeepClone();
            e["budget"] = null;
        });

    public static NewEvent ToolResult(string toolUseId, string resultType, JsonArray content, bool isError, DateTimeOffset now) =>
        Build(resultType, now, e =>
        {
            e[resultType == "agent.mcp_tool_result" ? "mcp_tool_use_id" : "tool_use_id"] = toolUseId;
            e["content"] = content;
            e["is_error"] = isError;
        });

    public static NewEvent Compacted(string summary, long uptoSeq, long preCompactionTokens, DateTimeOffset now) =>
        Build("agent.thread_context_compacted", now, e =>
        {
            e["pre_compaction_tokens"] = preCompactionTokens;
            e[PrivateKey] = new JsonObject { ["summary"] = summary, ["upto_seq"] = uptoSeq };
        });

    /// <summary>An event with a fresh id; <paramref name="fill"/> adds the type's fields before processed_at.</summary>
    public static NewEvent Build(string type, DateTimeOffset now, Action<JsonObject> fill) =>
        Build(Ids.New(Ids.Event), type, now, fill);

    public static NewEvent Build(string id, string type, DateTimeOffset now, Action<JsonObject> fill)
    {
        var json = new JsonObject { ["type"] = type, ["id"] = id };
        fill(json);
        // processed_at goes last but before the private section, matching the server's own events.
        var hidden = json[PrivateKey];
        json.Remove(PrivateKey);
        json["processed_at"] = Timestamp(now);
        if (hidden is not null)
        {
            json[PrivateKey] = hidden;
        }
        return new NewEvent(id, type, json.ToJsonString(), now);
    }
}
