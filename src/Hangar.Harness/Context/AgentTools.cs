using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts.Agents;
using Hangar.Contracts.Serialization;
using Hangar.Contracts.Sessions;
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
    public const string ToolsetType = AgentToolset.TypeName;

    private readonly Dictionary<string, string> _builtInPolicies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomTool> _custom = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _definitions = [];
    private readonly Dictionary<string, McpToolRef> _mcp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, McpToolset> _unlistedToolsets = new(StringComparer.Ordinal);

    /// <param name="agent">The session's agent snapshot (<c>session.agent</c>) as stored.</param>
    /// <param name="builtIns">Definitions (<c>{name, description, input_schema}</c>) of the built-in tools the sandbox runs, in the order they are offered.</param>
    /// <param name="mcp">The MCP tools discovered for this turn (null: none yet).</param>
    public AgentTools(JsonObject agent, IReadOnlyList<JsonObject> builtIns, McpToolCatalog? mcp = null)
        : this(agent.Deserialize(WireJson.Info<SessionAgent>())?.Tools ?? [], builtIns, mcp)
    {
    }

    /// <param name="tools">The agent's normalised <c>tools</c>.</param>
    public AgentTools(IReadOnlyList<AgentTool> tools, IReadOnlyList<JsonObject> builtIns, McpToolCatalog? mcp = null)
    {
        foreach (var tool in tools)
        {
            switch (tool)
            {
                case AgentToolset toolset:
                    AddToolset(toolset, builtIns);
                    break;
                case McpToolset toolset:
                    AddMcpToolset(toolset, mcp ?? McpToolCatalog.Empty);
                    break;
                case CustomTool custom:
                    _custom[custom.Name] = custom;
                    _definitions.Add(new JsonObject
                    {
                        ["name"] = custom.Name,
                        ["description"] = custom.Description,
                        ["input_schema"] = JsonSerializer.SerializeToNode(custom.InputSchema, WireJson.Info<JsonElement>()),
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

    private void AddMcpToolset(McpToolset toolset, McpToolCatalog catalog)
    {
        var server = toolset.McpServerName;
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
    private static (bool Enabled, string Policy) McpConfig(McpToolset toolset, string tool)
    {
        var defaults = toolset.DefaultConfig;
        var config = (toolset.Configs ?? []).FirstOrDefault(c => c.Name == tool);
        return (config?.Enabled ?? defaults?.Enabled ?? true,
            config?.PermissionPolicy?.Type ?? defaults?.PermissionPolicy?.Type ?? PermissionPolicy.AlwaysAsk);
    }

    private void AddToolset(AgentToolset toolset, IReadOnlyList<JsonObject> builtIns)
    {
        var defaultEnabled = toolset.DefaultConfig?.Enabled ?? true;
        var defaultPolicy = toolset.DefaultConfig?.PermissionPolicy?.Type ?? PermissionPolicy.AlwaysAllow;
        var configs = (toolset.Configs ?? []).ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var definition in builtIns)
        {
            var name = definition.Deserialize(WireJson.Info<ToolDefinition>())!.Name;
            configs.TryGetValue(name, out var config);
            if (!(config?.Enabled ?? defaultEnabled))
            {
                continue;
            }
            _builtInPolicies[name] = config?.PermissionPolicy?.Type ?? defaultPolicy;
            _definitions.Add((JsonObject)definition.DeepClone());
        }
    }
}
