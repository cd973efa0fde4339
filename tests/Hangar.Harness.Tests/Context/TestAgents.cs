using System.Text.Json.Nodes;
using Hangar.Harness.Context;

namespace Hangar.Harness.Tests.Context;

/// <summary>Agent snapshots and tool definitions for context tests.</summary>
internal static class TestAgents
{
    public static readonly IReadOnlyList<JsonObject> BuiltIns =
    [
        Tool("bash"),
        Tool("read"),
    ];

    public static ContextOptions Options => new(BuiltIns, MaxTokens: 1024);

    public static JsonObject Agent(JsonArray? tools = null, string? system = "Be brief.") => new()
    {
        ["type"] = "agent",
        ["id"] = "agent_1",
        ["version"] = 1,
        ["name"] = "Test",
        ["system"] = system,
        ["model"] = new JsonObject { ["id"] = "claude-test", ["effort"] = new JsonObject { ["type"] = "high" } },
        ["tools"] = tools ?? new JsonArray(new JsonObject { ["type"] = AgentTools.ToolsetType }),
    };

    public static JsonObject Toolset(string defaultPolicy = "always_allow", params (string Name, bool Enabled, string Policy)[] configs) => new()
    {
        ["type"] = AgentTools.ToolsetType,
        ["default_config"] = new JsonObject { ["enabled"] = true, ["permission_policy"] = new JsonObject { ["type"] = defaultPolicy } },
        ["configs"] = new JsonArray([.. configs.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = c.Name,
            ["name"] = c.Name,
            ["enabled"] = c.Enabled,
            ["permission_policy"] = new JsonObject { ["type"] = c.Policy },
        })]),
    };

    public static JsonObject Custom(string name) => new()
    {
        ["type"] = "custom",
        ["name"] = name,
        ["description"] = "Looks things up.",
        ["input_schema"] = new JsonObject { ["type"] = "object" },
    };

    private static JsonObject Tool(string name) => new()
    {
        ["name"] = name,
        ["description"] = $"The {name} tool.",
        ["input_schema"] = new JsonObject { ["type"] = "object" },
    };
}
