using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// An agent's <c>tools</c> (≤128 entries: the built-in toolset, MCP toolsets, custom tools) and
/// <c>mcp_servers</c>, normalised to the response form and checked against each other: every
/// MCP toolset names a declared server and every declared server is used by a toolset.
/// </summary>
public static class AgentTools
{
    public const int MaxTools = 128;
    public const int MaxMcpServers = 20;

    /// <param name="pathPrefix">Prefix of error paths (sessions pass "agent" to get <c>agent.tools[0]</c>).</param>
    public static JsonArray NormaliseTools(JsonNode? node, string pathPrefix = "")
    {
        var tools = ReadArray(node, JsonFields.Path(pathPrefix, "tools"), MaxTools);
        var result = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tools.Count; i++)
        {
            var path = JsonFields.Path(pathPrefix, $"tools[{i}]");
            var tool = tools[i] as JsonObject
                ?? throw new InvalidRequestException($"{path}: expected an object, got {JsonFields.Describe(tools[i])}.");
            var type = JsonFields.Discriminator(tool, path, AgentToolset.Type, McpToolset.Type, "custom");
            var normalised = type switch
            {
                AgentToolset.Type => AgentToolset.Normalise(tool, path),
                McpToolset.Type => McpToolset.Normalise(tool, path),
                _ => CustomTool.Normalise(tool, path),
            };
            // One built-in toolset, one toolset per MCP server, unique custom tool names.
            var key = type switch
            {
                AgentToolset.Type => type,
                McpToolset.Type => "mcp:" + (string)normalised["mcp_server_name"]!,
                _ => "custom:" + (string)normalised["name"]!,
            };
            if (!names.Add(key))
            {
                throw new InvalidRequestException($"{path}: duplicates an earlier entry ({key.Replace(":", " ", StringComparison.Ordinal)}).");
            }
            result.Add(normalised);
        }
        return result;
    }

    public static JsonArray NormaliseMcpServers(JsonNode? node, string pathPrefix = "")
    {
        var servers = ReadArray(node, JsonFields.Path(pathPrefix, "mcp_servers"), MaxMcpServers);
        var result = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < servers.Count; i++)
        {
            var path = JsonFields.Path(pathPrefix, $"mcp_servers[{i}]");
            var server = servers[i] as JsonObject
                ?? throw new InvalidRequestException($"{path}: expected an object, got {JsonFields.Describe(servers[i])}.");
            JsonFields.RejectUnknown(server, path, "type", "name", "url");
            JsonFields.Discriminator(server, path, "url");
            var name = JsonFields.RequiredString(server, "name", 256, path);
            var url = JsonFields.RequiredString(server, "url", 2048, path);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidRequestException($"{path}.url: expected an absolute http(s) URL (got '{url}').");
            }
            if (!names.Add(name))
            {
                throw new InvalidRequestException($"{path}.name: the MCP server name '{name}' is used twice.");
            }
            result.Add(new JsonObject { ["type"] = "url", ["name"] = name, ["url"] = url });
        }
        return result;
    }

    /// <summary>Checks that MCP toolsets and servers match one to one by name.</summary>
    public static void CheckMcpReferences(JsonArray tools, JsonArray servers, string pathPrefix = "")
    {
        var declared = servers.Select(s => (string)s!["name"]!).ToHashSet(StringComparer.Ordinal);
        var used = tools.Where(t => (string?)t!["type"] == McpToolset.Type)
            .Select(t => (string)t!["mcp_server_name"]!).ToHashSet(StringComparer.Ordinal);
        foreach (var name in used.Where(n => !declared.Contains(n)))
        {
            throw new InvalidRequestException($"{JsonFields.Path(pathPrefix, "tools")}: an mcp_toolset references the MCP server '{name}', which is not in mcp_servers.");
        }
        foreach (var name in declared.Where(n => !used.Contains(n)))
        {
            throw new InvalidRequestException($"{JsonFields.Path(pathPrefix, "mcp_servers")}: the server '{name}' is not used by any mcp_toolset in tools; add one or remove the server.");
        }
    }

    /// <summary>A list field where null (or missing) means empty.</summary>
    public static JsonArray ReadArray(JsonNode? node, string name, int maxItems) => node switch
    {
        null => [],
        JsonArray array when array.Count <= maxItems => array,
        JsonArray array => throw new InvalidRequestException($"{name}: at most {maxItems} items are allowed (got {array.Count})."),
        _ => throw new InvalidRequestException($"{name}: expected an array, got {JsonFields.Describe(node)}."),
    };
}
