using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>The body of <c>POST /v1/agents</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateAgentParams
{
    public const int MaxNameLength = 256;
    public const int MaxDescriptionLength = 2048;
    public const int MaxSystemLength = 100_000;

    public string? Name { get; init; }
    public ModelParams? Model { get; init; }
    public string? Description { get; init; }
    public string? System { get; init; }
    public IReadOnlyList<AgentToolParams?>? Tools { get; init; }
    public IReadOnlyList<McpServerParams?>? McpServers { get; init; }
    public IReadOnlyList<AgentSkillParams?>? Skills { get; init; }
    public JsonElement? Multiagent { get; init; }
    public ExecutionIdentity? ExecutionIdentity { get; init; }
    public Dictionary<string, string?>? Metadata { get; init; }

    /// <summary>Version 1 of the agent, validated and with every default filled in.</summary>
    public Agent ToAgent(string id, DateTimeOffset now)
    {
        var name = Check.Required(Name, "name", MaxNameLength);
        var model = RequireModel(Model, "model").Validate("model");
        var tools = AgentToolList.Validate(Tools);
        var servers = AgentToolList.Validate(McpServers);
        AgentToolList.CheckMcpReferences(tools, servers);
        return new Agent(
            id,
            1,
            name,
            Check.Clearable(Description, "description", MaxDescriptionLength),
            Check.Clearable(System, "system", MaxSystemLength),
            model,
            tools,
            servers,
            AgentToolList.Validate(Skills),
            RefuseMultiagent(Multiagent),
            ValidateIdentity(ExecutionIdentity),
            Contracts.ResourceMetadata.Create(Metadata),
            now,
            now,
            null);
    }

    public static ModelParams RequireModel(ModelParams? model, string path) =>
        model ?? throw new InvalidRequestException($"{path}: Field required; give a model id such as \"claude-sonnet-4-6\".");

    internal static JsonElement? RefuseMultiagent(JsonElement? multiagent) =>
        multiagent is null or { ValueKind: JsonValueKind.Null }
            ? null
            : throw new InvalidRequestException("multiagent: multi-agent rosters are not supported by this server yet; omit the field or send null.");

    /// <summary>Null or omitted means the default service account: the C# SDK requires a non-null identity.</summary>
    internal static ExecutionIdentity ValidateIdentity(ExecutionIdentity? identity) => identity switch
    {
        null => new ServiceAccountIdentity(),
        AwsRoleIdentity role => role.Validate("execution_identity"),
        _ => identity,
    };
}
