using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Contracts.Agents;

/// <summary>
/// One entry of an agent's <c>tools</c>, discriminated by <c>type</c>: the built-in toolset, the
/// tools of one MCP server, or a client-executed custom tool. This is the normalised response
/// form (every default filled in); requests use <see cref="AgentToolParams"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AgentToolset), AgentToolset.TypeName)]
[JsonDerivedType(typeof(McpToolset), McpToolset.TypeName)]
[JsonDerivedType(typeof(CustomTool), CustomTool.TypeName)]
public abstract record AgentTool;

/// <summary><c>agent_toolset_20260401</c>: a full default config and one complete entry per configured tool.</summary>
public sealed record AgentToolset(ToolDefaultConfig DefaultConfig, IReadOnlyList<ToolConfig> Configs) : AgentTool
{
    public const string TypeName = "agent_toolset_20260401";

    public static readonly string[] ToolNames = ["bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"];
}

/// <summary>The tools of one MCP server; default policy <c>always_ask</c> (remote tools are untrusted).</summary>
public sealed record McpToolset(string McpServerName, ToolDefaultConfig DefaultConfig, IReadOnlyList<McpToolConfig> Configs) : AgentTool
{
    public const string TypeName = "mcp_toolset";
}

/// <summary>A client-executed tool; <c>input_schema</c> is kept as the client sent it.</summary>
public sealed record CustomTool(string Name, string Description, JsonElement InputSchema) : AgentTool
{
    public const string TypeName = "custom";
}

/// <summary>A toolset's defaults, which entries that omit <c>enabled</c> or the policy inherit.</summary>
public sealed record ToolDefaultConfig(bool Enabled, PermissionPolicy PermissionPolicy);

/// <summary>A permission policy: <c>{"type":"always_allow"|"always_ask"|"auto"}</c>.</summary>
public sealed record PermissionPolicy(string Type)
{
    public const string AlwaysAllow = "always_allow";
    public const string AlwaysAsk = "always_ask";
    public const string Auto = "auto";
    public static readonly string[] Types = [AlwaysAllow, AlwaysAsk, Auto];
}

/// <summary>An MCP tool's entry: <c>{name, enabled, permission_policy}</c> (no <c>type</c>).</summary>
public sealed record McpToolConfig(string Name, bool Enabled, PermissionPolicy PermissionPolicy);

/// <summary>
/// A built-in tool's entry (<c>type</c> = <c>name</c>). The web tools add their extras; web_fetch
/// always carries <c>url_sources</c> (null = every source), the others never do.
/// </summary>
public sealed record ToolConfig(string Type, string Name, bool Enabled, PermissionPolicy PermissionPolicy)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? AllowedDomains { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? BlockedDomains { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxContentTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Serialization.Optional<UrlSources?> UrlSources { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxUses { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UserLocation? UserLocation { get; init; }
}

/// <summary>Which content web_fetch may take URLs from, per source.</summary>
public sealed record UrlSources(UrlSource UserInput, UrlSource ClientToolResults, UrlSource ServerToolResults);

/// <summary><c>{type:"all"|"none"}</c> or <c>{type:"only"|"except", tools:[…]}</c>.</summary>
public sealed record UrlSource(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolReference>? Tools { get; init; }
}

public sealed record ToolReference(string Name)
{
    [JsonPropertyOrder(-1)]
    public string Type => "tool_reference";
}

/// <summary>web_search's <c>user_location</c>: <c>{type:"approximate", city, region, country, timezone}</c>.</summary>
public sealed record UserLocation(string? City, string? Region, string? Country, string? Timezone)
{
    [JsonPropertyOrder(-1)]
    public string Type => "approximate";
}
