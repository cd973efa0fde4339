using System.Text.Json.Nodes;

namespace Hangar.Harness.Context;

/// <summary>
/// The tools a session's agent snapshot offers the model, in config order: the enabled built-in
/// tools of <c>agent_toolset_20260401</c> that the harness can run, and the custom tools.
/// MCP toolsets are not connected yet, so their tools are neither offered nor allowed.
/// </summary>
public sealed class AgentTools
{
    public const string ToolsetType = "agent_toolset_20260401";

    private readonly Dictionary<string, string> _builtInPolicies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _custom = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _definitions = [];

    /// <param name="agent">The session's agent snapshot (<c>session.agent</c>).</param>
    /// <param name="builtIns">Definitions (<c>{name, description, input_schema}</c>) of the built-in tools the sandbox runs, in the order they are offered.</param>
    public AgentTools(JsonObject agent, IReadOnlyList<JsonObject> builtIns)
    {
        foreach (var tool in (agent["tools"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)tool["type"])
            {
                case ToolsetType:
                    AddToolset(tool, builtIns);
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
