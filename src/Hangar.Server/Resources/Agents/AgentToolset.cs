using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// The built-in toolset <c>agent_toolset_20260401</c>, normalised to the response form: a full
/// <c>default_config</c> and one complete entry per configured tool (<c>type</c> = <c>name</c>,
/// <c>enabled</c>, <c>permission_policy</c>, plus the web tools' extras).
/// </summary>
public static class AgentToolset
{
    public const string Type = "agent_toolset_20260401";

    public static readonly string[] ToolNames = ["bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"];

    public static JsonObject Normalise(JsonObject toolset, string path)
    {
        JsonFields.RejectUnknown(toolset, path, "type", "default_config", "configs");
        var defaults = ToolDefaults.Parse(toolset, path, PermissionPolicy.AlwaysAllow);
        var configs = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = JsonFields.OptionalArray(toolset, "configs", ToolNames.Length, path) ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var entryPath = $"{path}.configs[{i}]";
            var entry = entries[i] as JsonObject
                ?? throw new InvalidRequestException($"{entryPath}: expected an object, got {JsonFields.Describe(entries[i])}.");
            var name = JsonFields.RequiredString(entry, "name", 64, entryPath);
            if (!ToolNames.Contains(name, StringComparer.Ordinal))
            {
                throw new InvalidRequestException(
                    $"{entryPath}.name: unknown tool '{name}' in {Type}; expected one of: {string.Join(", ", ToolNames)}.");
            }
            if (JsonFields.OptionalString(entry, "type", 64, entryPath) is { } type && type != name)
            {
                throw new InvalidRequestException($"{entryPath}.type: must equal the tool name '{name}' (got '{type}').");
            }
            if (!seen.Add(name))
            {
                throw new InvalidRequestException($"{entryPath}.name: the tool '{name}' is configured twice.");
            }
            configs.Add(NormaliseEntry(entry, name, entryPath, defaults));
        }
        return new JsonObject
        {
            ["type"] = Type,
            ["default_config"] = defaults.ToJson(),
            ["configs"] = configs,
        };
    }

    private static JsonObject NormaliseEntry(JsonObject entry, string name, string path, ToolDefaults defaults)
    {
        string[] common = ["name", "type", "enabled", "permission_policy"];
        string[] extras = name switch
        {
            "web_fetch" => ["allowed_domains", "blocked_domains", "max_content_tokens", "url_sources"],
            "web_search" => ["allowed_domains", "blocked_domains", "user_location", "max_uses"],
            _ => [],
        };
        JsonFields.RejectUnknown(entry, path, [.. common, .. extras]);
        var (enabled, policy) = defaults.ForEntry(entry, path);
        var result = new JsonObject
        {
            ["type"] = name,
            ["name"] = name,
            ["enabled"] = enabled,
            ["permission_policy"] = policy,
        };
        if (extras.Length == 0)
        {
            return result;
        }
        WebToolOptions.AddDomains(entry, result, path, allowPath: name == "web_search");
        if (name == "web_fetch")
        {
            if (JsonFields.OptionalInteger(entry, "max_content_tokens", 1, 1_000_000, path) is { } tokens)
            {
                result["max_content_tokens"] = tokens;
            }
            result["url_sources"] = WebToolOptions.UrlSources(entry["url_sources"], $"{path}.url_sources");
        }
        else
        {
            if (JsonFields.OptionalInteger(entry, "max_uses", 1, 1000, path) is { } uses)
            {
                result["max_uses"] = uses;
            }
            if (WebToolOptions.UserLocation(entry, path) is { } location)
            {
                result["user_location"] = location;
            }
        }
        return result;
    }
}
