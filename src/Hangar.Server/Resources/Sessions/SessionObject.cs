using System.Text.Json.Nodes;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Sessions;

/// <summary>Builds a new session's wire object with every key the SDKs require (§7, §18.8).</summary>
public static class SessionObject
{
    public static JsonObject New(
        string id, JsonObject agent, string environmentId, JsonArray resources, JsonArray vaultIds,
        JsonObject metadata, string? title, JsonObject? budget, DateTimeOffset now)
    {
        var stamp = WireJson.Timestamp(now);
        return new JsonObject
        {
            ["type"] = "session",
            ["id"] = id,
            ["status"] = "idle",
            ["title"] = title,
            ["agent"] = agent,
            ["environment_id"] = environmentId,
            ["resources"] = resources,
            ["vault_ids"] = vaultIds,
            ["metadata"] = metadata,
            ["budget"] = budget,
            ["outcome_evaluations"] = new JsonArray(),
            ["usage"] = ZeroUsage(),
            ["stats"] = new JsonObject { ["active_seconds"] = 0, ["duration_seconds"] = 0 },
            ["deployment_id"] = null,
            ["created_at"] = stamp,
            ["updated_at"] = stamp,
            ["archived_at"] = null,
        };
    }

    private static JsonObject ZeroUsage() => new()
    {
        ["input_tokens"] = 0,
        ["output_tokens"] = 0,
        ["cache_read_input_tokens"] = 0,
        ["cache_creation"] = new JsonObject { ["ephemeral_5m_input_tokens"] = 0, ["ephemeral_1h_input_tokens"] = 0 },
        ["active_seconds"] = 0,
        ["list_cost"] = new JsonObject { ["amount"] = "0", ["currency"] = "USD" },
        ["server_tool_use"] = new JsonObject { ["web_search_requests"] = 0, ["web_fetch_requests"] = 0 },
    };
}
