using System.Text.Json.Nodes;
using Hangar.Harness.Mcp;

namespace Hangar.Harness.Context;

/// <summary>
/// The tools a session's agent snapshot offers the model, in config order: the enabled built-in
/// tools of <c>agent_toolset_20260401</c> that the harness can run, the custom tools, and the enabled
/// tools of each <c>mcp_toolset</c>'s server as the turn's <see cref="McpToolCatalog"/> lists them.
/// </summary>
/// <param name="Server">The agent's <c>mcp_servers[].name</c>.</param>
/// <param name="Tool">The tool's name on that server.</param>
/// <param name="ModelName">The name the model called it by.</param>
public sealed record McpToolRef(string Server, string Tool, string ModelName, ToolPermission Permission);

/// <summary>The tools a session offers the model and how each call is judged.</summary>
public sealed class AgentTools
{
    public const string ToolsetType = "agent_toolset_20260401";

    private readonly Dictionary<string, string> _builtInPolicies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _custom = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _definitions = [];
    private readonly Dictionary<string, McpToolRef> _mcp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _unlistedToolsets = new(StringComparer.Ordinal);

    /// <param name="agent">The session's agent snapshot (<c>session.agent</c>).</param>
    /// <param name="builtIns">Definitions (<c>{name, description, input_schema}</c>) of the built-in tools the sandbox runs, in the order they are offered.</param>
    /// <param name="mcp">The MCP tools discovered for this turn (null: none yet).</param>
    public AgentTools(JsonObject agent, IReadOnlyList<JsonObject> builtIns, McpToolCatalog? mcp = null)
    {
        foreach (var tool in (agent["tools"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)tool["type"])
            {
                case ToolsetType:
                    AddToolset(tool, builtIns);
                    break;
                case "mcp_toolset":
                    AddMcpToolset(tool, mcp ?? McpToolCatalog.Empty);
                    break;
                case "custom":
                    var name = (string)tool["name"]!;
                    _custom[name] = tool;
                    _definitions.Add(new JsonObject
                    {
                        ["name"] = name,
                        ["description"] = tool["description"]?.DeepClone(),
                        ["input_schema"] = tool["input_schema"]?.DeepClone(),
                    });
                    break;
            }
        }
    }

    /// <summary>The <c>tools</c> of the model request, fresh copies in a fixed order.</summary>
    public IReadOnlyList<JsonObject> Definitions => _definitions;

    public bool IsCustom(string name) => _custom.ContainsKey(name);

    /// <summary>The permission for a built-in tool call; tools the session doesn't enable are denied.</summary>
    public ToolPermission Evaluate(string name) =>
        _builtInPolicies.TryGetValue(name, out var policy) ? ToolPermission.FromPolicy(policy) : ToolPermission.NotEnabled;

    /// <summary>
    /// The MCP tool the model called by <paramref name="modelName"/>, or null when it names none. A
    /// server whose tools couldn't be listed this turn is taken at its word (<c>mcp__server__tool</c>,
    /// judged by the toolset's config) so the call meets the server's real error instead of a denial.
    /// </summary>
    public McpToolRef? ResolveMcp(string modelName)
    {
        if (_mcp.TryGetValue(modelName, out var listed))
        {
            return listed;
        }
        foreach (var (server, toolset) in _unlistedToolsets.OrderByDescending(t => t.Key.Length))
        {
            var prefix = $"{McpToolNames.Prefix}{server}__";
            if (modelName.Length > prefix.Length && modelName.StartsWith(prefix, StringComparison.Ordinal))
            {
                var tool = modelName[prefix.Length..];
                var (enabled, policy) = McpConfig(toolset, tool);
                return new McpToolRef(server, tool, modelName, enabled ? ToolPermission.FromPolicy(policy) : ToolPermission.NotEnabled);
            }
        }
        return null;
    }

    private void AddMcpToolset(JsonObject toolset, McpToolCatalog catalog)
    {
        var server = (string)toolset["mcp_server_name"]!;
        if (catalog.For(server) is not { Failed: false } listing)
        {
            _unlistedToolsets[server] = toolset;
            return;
        }
        foreach (var tool in listing.Tools)
        {
            var (enabled, policy) = McpConfig(toolset, tool.Name);
            if (!enabled)
            {
                continue;
            }
            _mcp[tool.ModelName] = new McpToolRef(server, tool.Name, tool.ModelName, ToolPermission.FromPolicy(policy));
            var definition = new JsonObject { ["name"] = tool.ModelName };
            if (tool.Description is not null)
            {
                definition["description"] = tool.Description;
            }
            definition["input_schema"] = tool.InputSchema.DeepClone();
            _definitions.Add(definition);
        }
    }

    /// <summary>An MCP tool's enabled flag and policy: its <c>configs</c> entry, else the toolset default (<c>always_ask</c>).</summary>
    private static (bool Enabled, string Policy) McpConfig(JsonObject toolset, string tool)
    {
        var defaults = toolset["default_config"] as JsonObject;
        var config = (toolset["configs"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == tool);
        var enabled = (bool?)config?["enabled"] ?? (bool?)defaults?["enabled"] ?? true;
        return (enabled, PolicyOf(config?["permission_policy"]) ?? PolicyOf(defaults?["permission_policy"]) ?? "always_ask");
    }

    private void AddToolset(JsonObject toolset, IReadOnlyList<JsonObject> builtIns)
    {
        var defaults = toolset["default_config"] as JsonObject;
        var defaultEnabled = (bool?)defaults?["enabled"] ?? true;
        var defaultPolicy = PolicyOf(defaults?["permission_policy"]) ?? "always_allow";
        var configs = (toolset["configs"] as JsonArray ?? []).OfType<JsonObject>()
            .ToDictionary(c => (string)c["name"]!, StringComparer.Ordinal);
        foreach (var definition in builtIns)
        {
            var name = (string)definition["name"]!;
            configs.TryGetValue(name, out var config);
            if (!((bool?)config?["enabled"] ?? defaultEnabled))
            {
                continue;
            }
            _builtInPolicies[name] = PolicyOf(config?["permission_policy"]) ?? defaultPolicy;
            _definitions.Add((JsonObject)definition.DeepClone());
        }
    }

    private static string? PolicyOf(JsonNode? node) => node switch
    {
        JsonObject o => (string?)o["type"],
        JsonValue v => (string?)v,
        _ => null,
    };
}
