using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// The tools of one MCP server: <c>{type:"mcp_toolset", mcp_server_name, default_config?, configs?}</c>.
/// Default policy is <c>always_ask</c> (remote tools are untrusted); entries have no <c>type</c>.
/// </summary>
public static class McpToolset
{
    public const string Type = "mcp_toolset";

    public static JsonObject Normalise(JsonObject toolset, string path)
    {
        JsonFields.RejectUnknown(toolset, path, "type", "mcp_server_name", "default_config", "configs");
        var server = JsonFields.RequiredString(toolset, "mcp_server_name", 256, path);
        var defaults = ToolDefaults.Parse(toolset, path, PermissionPolicy.AlwaysAsk);
        var configs = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = JsonFields.OptionalArray(toolset, "configs", 1000, path) ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var entryPath = $"{path}.configs[{i}]";
            var entry = entries[i] as JsonObject
                ?? throw new InvalidRequestException($"{entryPath}: expected an object, got {JsonFields.Describe(entries[i])}.");
            JsonFields.RejectUnknown(entry, entryPath, "name", "enabled", "permission_policy");
            var name = JsonFields.RequiredString(entry, "name", 256, entryPath);
            if (!seen.Add(name))
            {
                throw new InvalidRequestException($"{entryPath}.name: the tool '{name}' is configured twice.");
            }
            var (enabled, policy) = defaults.ForEntry(entry, entryPath);
            configs.Add(new JsonObject { ["name"] = name, ["enabled"] = enabled, ["permission_policy"] = policy });
        }
        return new JsonObject
        {
            ["type"] = Type,
            ["mcp_server_name"] = server,
            ["default_config"] = defaults.ToJson(),
            ["configs"] = configs,
        };
    }
}
