using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Contracts.Agents;

/// <summary>
/// An agent version as the API answers it (api.md §5). Every key is always written (null where
/// empty) because the SDKs read strictly; this is also exactly what is stored per version.
/// </summary>
public sealed record Agent(
    string Id,
    int Version,
    string Name,
    string? Description,
    string? System,
    ModelConfig Model,
    IReadOnlyList<AgentTool> Tools,
    IReadOnlyList<McpServer> McpServers,
    IReadOnlyList<AgentSkill> Skills,
    JsonElement? Multiagent,
    ExecutionIdentity ExecutionIdentity,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt)
{
    public const string ObjectType = "agent";

    [JsonPropertyOrder(-1)]
    public string Type => ObjectType;
}

/// <summary>An MCP server the agent's <c>mcp_toolset</c>s call: <c>{type:"url", name, url}</c>.</summary>
public sealed record McpServer(string Name, string Url)
{
    [JsonPropertyOrder(-1)]
    public string Type => "url";
}

/// <summary>A skill the agent loads: <c>{type:"anthropic"|"custom", skill_id, version}</c>.</summary>
public sealed record AgentSkill(string Type, string SkillId, string Version);

/// <summary>Who the agent's tools act as.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ServiceAccountIdentity), ServiceAccountIdentity.TypeName)]
[JsonDerivedType(typeof(AwsRoleIdentity), AwsRoleIdentity.TypeName)]
public abstract record ExecutionIdentity;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ServiceAccountIdentity : ExecutionIdentity
{
    public const string TypeName = "service_account";
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AwsRoleIdentity(string? RoleArn) : ExecutionIdentity
{
    public const string TypeName = "aws_role";

    public AwsRoleIdentity Validate(string path)
    {
        var arn = Validation.Check.Required(RoleArn, $"{path}.role_arn", 2048);
        return arn.StartsWith("arn:", StringComparison.Ordinal)
            ? this
            : throw new InvalidRequestException($"{path}.role_arn: expected an IAM role ARN starting with 'arn:' (got '{arn}').");
    }
}
