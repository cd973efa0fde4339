using System.Text.Json.Nodes;
using Hangar.Harness.Log;

namespace Hangar.Harness.Mcp;

/// <summary>One tool a server listed: its MCP name and the name the model calls it by.</summary>
/// <param name="InputSchema">The server's schema (a JSON Schema object; replaced by <c>{type:object}</c> when unusable).</param>
public sealed record McpToolDefinition(string Name, string ModelName, string? Description, JsonObject InputSchema);

/// <summary>What one server's discovery found: its tools, or the session.error type that stopped it.</summary>
public sealed record McpServerTools(string Server, IReadOnlyList<McpToolDefinition> Tools, string? Error)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// The MCP tools discovered for a turn, recorded under <c>_hangar.mcp_tools</c> on the turn's first
/// <c>span.model_request_start</c>, so context building reads them from the log (byte-identical on any
/// worker) instead of asking the servers again. A server's answer is untrusted: it is kept as data
/// only (name, description, schema), never followed.
/// </summary>
public sealed class McpToolCatalog(IReadOnlyList<McpServerTools> servers)
{
    public const string PrivateKey = "mcp_tools";

    public static readonly McpToolCatalog Empty = new([]);

    public IReadOnlyList<McpServerTools> Servers => servers;

    public McpServerTools? For(string server) => servers.FirstOrDefault(s => s.Server == server);

    /// <summary>The latest catalog in the log (they apply until the next one), or <see cref="Empty"/>.</summary>
    public static McpToolCatalog Latest(IReadOnlyList<LoggedEvent> log)
    {
        for (var i = log.Count - 1; i >= 0; i--)
        {
            if (log[i].Private?[PrivateKey] is JsonArray recorded)
            {
                return FromJson(recorded);
            }
        }
        return Empty;
    }

    /// <summary>The catalog recorded since the session last went idle, or null: this turn hasn't discovered yet.</summary>
    public static McpToolCatalog? OfCurrentTurn(IReadOnlyList<LoggedEvent> log)
    {
        for (var i = log.Count - 1; i >= 0 && log[i].Type != "session.status_idle"; i--)
        {
            if (log[i].Private?[PrivateKey] is JsonArray recorded)
            {
                return FromJson(recorded);
            }
        }
        return null;
    }

    public JsonArray ToJson() => new([.. servers.Select(s =>
    {
        var entry = new JsonObject { ["server"] = s.Server };
        if (s.Error is not null)
        {
            entry["error"] = s.Error;
        }
        entry["tools"] = new JsonArray([.. s.Tools.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["model_name"] = t.ModelName,
            ["description"] = t.Description,
            ["input_schema"] = t.InputSchema.DeepClone(),
        })]);
        return (JsonNode)entry;
    })]);

    public static McpToolCatalog FromJson(JsonArray recorded) => new([.. recorded.OfType<JsonObject>().Select(s => new McpServerTools(
        (string)s["server"]!,
        [.. (s["tools"] as JsonArray ?? []).OfType<JsonObject>().Select(t => new McpToolDefinition(
            (string)t["name"]!, (string)t["model_name"]!, (string?)t["description"], (JsonObject)t["input_schema"]!.DeepClone()))],
        (string?)s["error"]))]);
}
