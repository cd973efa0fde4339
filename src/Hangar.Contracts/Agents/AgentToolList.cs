using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>
/// The list fields of an agent config (<c>tools</c> ≤256 — the SDK's limit, <c>mcp_servers</c> ≤20, <c>skills</c> ≤20),
/// normalised and checked against each other: every MCP toolset names a declared server and every
/// declared server is used by a toolset. Sessions pass the prefix "agent" for their overrides.
/// </summary>
public static class AgentToolList
{
    public const int MaxTools = 256;
    public const int MaxMcpServers = 20;
    public const int MaxSkills = 20;

    public static IReadOnlyList<AgentTool> Validate(IReadOnlyList<AgentToolParams?>? tools, string prefix = "")
    {
        var items = Check.Count(tools, Check.Path(prefix, "tools"), MaxTools);
        var result = new List<AgentTool>(items.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = Check.Path(prefix, $"tools[{i}]");
            var tool = Check.Required(items[i], path).Validate(path);
            // One built-in toolset, one toolset per MCP server, unique custom tool names.
            var key = tool switch
            {
                AgentToolset => AgentToolset.TypeName,
                McpToolset mcp => "mcp " + mcp.McpServerName,
                CustomTool custom => "custom " + custom.Name,
                _ => throw new InvalidOperationException(),
            };
            if (!keys.Add(key))
            {
                throw new InvalidRequestException($"{path}: duplicates an earlier entry ({key}).");
            }
            result.Add(tool);
        }
        return result;
    }

    public static IReadOnlyList<McpServer> Validate(IReadOnlyList<McpServerParams?>? servers, string prefix = "")
    {
        var items = Check.Count(servers, Check.Path(prefix, "mcp_servers"), MaxMcpServers);
        var result = new List<McpServer>(items.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = Check.Path(prefix, $"mcp_servers[{i}]");
            var server = Check.Required(items[i], path).Validate(path);
            if (!names.Add(server.Name))
            {
                throw new InvalidRequestException($"{path}.name: the MCP server name '{server.Name}' is used twice.");
            }
            result.Add(server);
        }
        return result;
    }

    /// <summary>Checks that MCP toolsets and servers match one to one by name.</summary>
    public static void CheckMcpReferences(IReadOnlyList<AgentTool> tools, IReadOnlyList<McpServer> servers, string prefix = "")
    {
        var declared = servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var used = tools.OfType<McpToolset>().Select(t => t.McpServerName).ToHashSet(StringComparer.Ordinal);
        foreach (var name in used.Where(n => !declared.Contains(n)))
        {
            throw new InvalidRequestException($"{Check.Path(prefix, "tools")}: an mcp_toolset references the MCP server '{name}', which is not in mcp_servers.");
        }
        foreach (var name in declared.Where(n => !used.Contains(n)))
        {
            throw new InvalidRequestException($"{Check.Path(prefix, "mcp_servers")}: the server '{name}' is not used by any mcp_toolset in tools; add one or remove the server.");
        }
    }

    public static IReadOnlyList<AgentSkill> Validate(IReadOnlyList<AgentSkillParams?>? skills, string prefix = "")
    {
        var items = Check.Count(skills, Check.Path(prefix, "skills"), MaxSkills);
        var result = new List<AgentSkill>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = Check.Path(prefix, $"skills[{i}]");
            var skill = Check.Required(items[i], path).Validate(path);
            if (!seen.Add(skill.Type + ":" + skill.SkillId))
            {
                throw new InvalidRequestException($"{path}.skill_id: the skill '{skill.SkillId}' is listed twice.");
            }
            result.Add(skill);
        }
        return result;
    }
}

/// <summary>An MCP server as sent: <c>{type:"url", name, url}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record McpServerParams(string? Type, string? Name, string? Url)
{
    public McpServer Validate(string path)
    {
        Check.OneOf(Type, $"{path}.type", "url");
        var name = Check.Required(Name, $"{path}.name", 256);
        var url = Check.Required(Url, $"{path}.url", 2048);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new McpServer(name, url)
            : throw new InvalidRequestException($"{path}.url: expected an absolute http(s) URL (got '{url}').");
    }
}

/// <summary>A skill as sent: <c>{type:"anthropic"|"custom", skill_id, version?}</c>; version is a string or integer, default "latest".</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AgentSkillParams(string? Type, string? SkillId, JsonElement? Version)
{
    public AgentSkill Validate(string path)
    {
        var type = Check.OneOf(Type, $"{path}.type", "anthropic", "custom");
        var id = Check.Required(SkillId, $"{path}.skill_id", 256);
        var version = Version switch
        {
            null or { ValueKind: JsonValueKind.Null } => "latest",
            { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
            { ValueKind: JsonValueKind.String } text => Check.Required(text.GetString(), $"{path}.version", 64),
            _ => throw new InvalidRequestException($"{path}.version: expected a string or an integer."),
        };
        return new AgentSkill(type, id, version);
    }
}
