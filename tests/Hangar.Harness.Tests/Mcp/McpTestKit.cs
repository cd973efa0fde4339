using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Harness.Mcp;

namespace Hangar.Harness.Tests.Mcp;

/// <summary>
/// Credentials from a fixed table (server URL → token), standing in for the vault-backed
/// implementation; records every request it answered.
/// </summary>
internal sealed class TableCredentials(IReadOnlyDictionary<string, string> tokens) : IMcpCredentials
{
    public ConcurrentQueue<McpCredentialRequest> Requests { get; } = new();

    public Task<McpToken?> GetTokenAsync(McpCredentialRequest request, CancellationToken ct)
    {
        Requests.Enqueue(request);
        return Task.FromResult(tokens.TryGetValue(request.ServerUrl, out var token) ? new McpToken(token, "vlt_test", "vcrd_test") : null);
    }
}

internal static class McpAgent
{
    public const string Server = "tracker";

    /// <summary>An agent's <c>tools</c>: the built-in toolset and the tracker's MCP toolset with this default policy (null: the spec default).</summary>
    public static JsonArray Tools(string? defaultPolicy)
    {
        var toolset = new JsonObject { ["type"] = "mcp_toolset", ["mcp_server_name"] = Server };
        if (defaultPolicy is not null)
        {
            toolset["default_config"] = new JsonObject { ["permission_policy"] = new JsonObject { ["type"] = defaultPolicy } };
        }
        return [new JsonObject { ["type"] = "agent_toolset_20260401" }, toolset];
    }

    public static JsonArray Servers(Uri url) => [new JsonObject { ["type"] = "url", ["name"] = Server, ["url"] = url.ToString() }];

    /// <summary>Every event parses as the official SDK's session event and validates.</summary>
    public static void AssertSdkShapes(IEnumerable<JsonObject> events)
    {
        foreach (var e in events)
        {
            var parsed = JsonSerializer.Deserialize<BetaManagedAgentsSessionEvent>(e.ToJsonString());
            Assert.NotNull(parsed);
            parsed.Validate();
        }
    }
}
