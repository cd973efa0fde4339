using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Validates and normalises the agent config a session may override (model, tools,
/// mcp_servers, skills) into response form, filling the defaults the SDKs require (§5).
/// </summary>
public static partial class SessionAgentConfig
{
    public const int MaxTools = 256;
    public const int MaxMcpServers = 20;
    public const int MaxSkills = 20;

    private static readonly string[] BuiltInTools = ["bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"];
    private static readonly string[] EffortLevels = ["low", "medium", "high", "xhigh", "max"];

    public static JsonObject Model(JsonNode? node, string at)
    {
        switch (node)
        {
            case null:
                throw new InvalidRequestException($"{at}: a session's model cannot be cleared.", "agent_model_required");
            case JsonValue value when value.TryGetValue<string>(out var id) && id.Length is > 0 and <= 256:
                return new JsonObject { ["id"] = id };
            case JsonObject obj:
                var model = new JsonObject { ["id"] = JsonFields.RequiredString(obj, "id", 256, at) };
                if (obj["effort"] is { } effort)
                {
                    var level = effort is JsonObject e ? JsonFields.RequiredString(e, "type", 16, $"{at}.effort") : (string?)effort;
                    model["effort"] = EffortLevels.Contains(level)
                        ? new JsonObject { ["type"] = level }
                        : throw new InvalidRequestException($"{at}.effort: expected one of {string.Join(", ", EffortLevels)}.");
                }
                if (JsonFields.OptionalString(obj, "speed", 16, at) is { } speed)
                {
                    model["speed"] = speed is "standard" or "fast" ? speed : throw new InvalidRequestException($"{at}.speed: expected standard or fast.");
                }
                if (JsonFields.OptionalString(obj, "inference_geo", 64, at) is { } geo)
                {
                    model["inference_geo"] = geo;
                }
                return model;
            default:
                throw new InvalidRequestException($"{at}: expected a model id string or an object with an id.");
        }
    }

    public static JsonArray NormalizeList(string name, JsonArray list, string at)
    {
        var result = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            var itemAt = $"{at}[{i}]";
            var item = list[i] as JsonObject
                ?? throw new InvalidRequestException($"{itemAt}: expected an object, got {JsonFields.Describe(list[i])}.");
            result.Add(name switch
            {
                "tools" => Tool(item, itemAt),
                "mcp_servers" => McpServer(item, itemAt),
                _ => Skill(item, itemAt),
            });
        }
        return result;
    }

    /// <summary>Checks that tools, MCP servers and skills of the effective config fit together.</summary>
    public static void CheckConsistent(JsonObject snapshot, string at)
    {
        var servers = (snapshot["mcp_servers"] as JsonArray ?? []).Select(s => (string?)s?["name"]).ToList();
        if (servers.Distinct(StringComparer.Ordinal).Count() != servers.Count)
        {
            throw new InvalidRequestException($"{at}.mcp_servers: server names must be unique.");
        }
        var tools = snapshot["tools"] as JsonArray ?? [];
        var referenced = tools.Where(t => (string?)t?["type"] == "mcp_toolset").Select(t => (string?)t?["mcp_server_name"]).ToList();
        if (referenced.FirstOrDefault(r => !servers.Contains(r)) is { } missing)
        {
            throw new InvalidRequestException($"{at}.tools: the mcp_toolset references '{missing}', which is not in mcp_servers.");
        }
        if (servers.FirstOrDefault(s => !referenced.Contains(s)) is { } unused)
        {
            throw new InvalidRequestException($"{at}.mcp_servers: '{unused}' is not referenced by any mcp_toolset in tools.");
        }
        if (tools.Count == 0 && snapshot["skills"] is JsonArray { Count: > 0 })
        {
            throw new InvalidRequestException($"{at}.tools: cannot be empty while the session has skills (skills need the read tool).");
        }
    }

    private static JsonObject Tool(JsonObject item, string at)
    {
        var type = JsonFields.Discriminator(item, at, "agent_toolset_20260401", "mcp_toolset", "custom");
        if (type == "custom")
        {
            var name = JsonFields.RequiredString(item, "name", 128, at);
            if (!ToolName().IsMatch(name))
            {
                throw new InvalidRequestException($"{at}.name: use only letters, digits, '_' and '-'.");
            }
            var schema = JsonFields.OptionalObject(item, "input_schema", at)
                ?? throw new InvalidRequestException($"{at}.input_schema: Field required.");
            if ((string?)schema["type"] != "object")
            {
                throw new InvalidRequestException($"{at}.input_schema.type: must be 'object'.");
            }
            return new JsonObject
            {
                ["type"] = "custom",
                ["name"] = name,
                ["description"] = JsonFields.OptionalString(item, "description", 10_000, at) ?? "",
                ["input_schema"] = schema.DeepClone(),
            };
        }
        var mcp = type == "mcp_toolset";
        var tool = new JsonObject { ["type"] = type };
        if (mcp)
        {
            tool["mcp_server_name"] = JsonFields.RequiredString(item, "mcp_server_name", 128, at);
        }
        var defaults = JsonFields.OptionalObject(item, "default_config", at);
        var enabled = defaults is null ? true : JsonFields.OptionalBool(defaults, "enabled", $"{at}.default_config") ?? true;
        var policy = Policy(defaults, $"{at}.default_config") ?? new JsonObject { ["type"] = mcp ? "always_ask" : "always_allow" };
        tool["default_config"] = new JsonObject { ["enabled"] = enabled, ["permission_policy"] = policy };
        var configs = new JsonArray();
        var list = JsonFields.OptionalArray(item, "configs", 256, at) ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var configAt = $"{at}.configs[{i}]";
            var config = list[i] as JsonObject ?? throw new InvalidRequestException($"{configAt}: expected an object.");
            var name = JsonFields.RequiredString(config, "name", 128, configAt);
            if (!mcp && !BuiltInTools.Contains(name))
            {
                throw new InvalidRequestException($"{configAt}.name: unknown tool '{name}'; expected one of: {string.Join(", ", BuiltInTools)}.");
            }
            var entry = (JsonObject)config.DeepClone();
            if (!mcp)
            {
                entry["type"] = name;
            }
            entry["enabled"] = JsonFields.OptionalBool(config, "enabled", configAt) ?? enabled;
            entry["permission_policy"] = Policy(config, configAt) ?? policy.DeepClone();
            if (name == "web_fetch" && !entry.ContainsKey("url_sources"))
            {
                entry["url_sources"] = null;
            }
            configs.Add(entry);
        }
        tool["configs"] = configs;
        return tool;
    }

    private static JsonObject? Policy(JsonObject? config, string at)
    {
        if (config is null || JsonFields.OptionalObject(config, "permission_policy", at) is not { } policy)
        {
            return null;
        }
        var type = JsonFields.Discriminator(policy, $"{at}.permission_policy", "always_allow", "always_ask", "auto");
        return new JsonObject { ["type"] = type };
    }

    private static JsonObject McpServer(JsonObject item, string at)
    {
        JsonFields.Discriminator(item, at, "url");
        var url = JsonFields.RequiredString(item, "url", 2048, at);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InvalidRequestException($"{at}.url: expected an absolute http(s) URL.");
        }
        return new JsonObject { ["type"] = "url", ["name"] = JsonFields.RequiredString(item, "name", 128, at), ["url"] = url };
    }

    private static JsonObject Skill(JsonObject item, string at) => new()
    {
        ["type"] = JsonFields.Discriminator(item, at, "anthropic", "custom"),
        ["skill_id"] = JsonFields.RequiredString(item, "skill_id", 128, at),
        ["version"] = JsonFields.OptionalString(item, "version", 64, at) ?? "latest",
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex ToolName();
}
