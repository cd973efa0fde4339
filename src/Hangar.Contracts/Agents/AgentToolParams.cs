using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>One entry of <c>tools</c> as sent; <see cref="Validate"/> fills in every default.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AgentToolsetParams), AgentToolset.TypeName)]
[JsonDerivedType(typeof(McpToolsetParams), McpToolset.TypeName)]
[JsonDerivedType(typeof(CustomToolParams), CustomTool.TypeName)]
public abstract record AgentToolParams
{
    public abstract AgentTool Validate(string path);
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AgentToolsetParams(ToolDefaultConfigParams? DefaultConfig, IReadOnlyList<ToolConfigParams>? Configs) : AgentToolParams
{
    public override AgentTool Validate(string path)
    {
        var defaults = ToolDefaultConfigParams.Validate(DefaultConfig, path, PermissionPolicy.AlwaysAllow);
        var entries = Check.Count(Configs, $"{path}.configs", AgentToolset.ToolNames.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var configs = new List<ToolConfig>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entryPath = $"{path}.configs[{i}]";
            var entry = Check.Required(entries[i], entryPath);
            var config = entry.Validate(entryPath, defaults);
            if (!seen.Add(config.Name))
            {
                throw new InvalidRequestException($"{entryPath}.name: the tool '{config.Name}' is configured twice.");
            }
            configs.Add(config);
        }
        return new AgentToolset(defaults, configs);
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record McpToolsetParams(string? McpServerName, ToolDefaultConfigParams? DefaultConfig, IReadOnlyList<McpToolConfigParams>? Configs)
    : AgentToolParams
{
    public override AgentTool Validate(string path)
    {
        var server = Check.Required(McpServerName, $"{path}.mcp_server_name", 256);
        var defaults = ToolDefaultConfigParams.Validate(DefaultConfig, path, PermissionPolicy.AlwaysAsk);
        var entries = Check.Count(Configs, $"{path}.configs", 1000);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var configs = new List<McpToolConfig>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entryPath = $"{path}.configs[{i}]";
            var entry = Check.Required(entries[i], entryPath);
            var name = Check.Required(entry.Name, $"{entryPath}.name", 256);
            if (!seen.Add(name))
            {
                throw new InvalidRequestException($"{entryPath}.name: the tool '{name}' is configured twice.");
            }
            configs.Add(new McpToolConfig(
                name,
                entry.Enabled ?? defaults.Enabled,
                entry.PermissionPolicy?.Validate($"{entryPath}.permission_policy") ?? defaults.PermissionPolicy));
        }
        return new McpToolset(server, defaults, configs);
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record McpToolConfigParams(string? Name, bool? Enabled, PermissionPolicyParams? PermissionPolicy);

/// <summary>A custom tool: name 1–128 of <c>[A-Za-z0-9_-]</c>, not a built-in name or <c>mcp__…</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record CustomToolParams(string? Name, string? Description, JsonElement? InputSchema) : AgentToolParams
{
    public override AgentTool Validate(string path)
    {
        var name = Check.Required(Name, $"{path}.name", 128);
        if (!ToolName().IsMatch(name))
        {
            throw new InvalidRequestException($"{path}.name: '{name}' may only contain letters, digits, '_' and '-'.");
        }
        if (AgentToolset.ToolNames.Contains(name, StringComparer.Ordinal) || name.StartsWith("mcp__", StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"{path}.name: '{name}' is reserved for a built-in or MCP tool.");
        }
        var description = Check.Required(Description, $"{path}.description", 1024);
        if (InputSchema is not { ValueKind: not JsonValueKind.Null } schema)
        {
            throw new InvalidRequestException($"{path}.input_schema: Field required.");
        }
        ToolInputSchema.Validate(schema, $"{path}.input_schema");
        return new CustomTool(name, description, schema.Clone());
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex ToolName();
}
