using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Contracts.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>
/// The body of <c>POST /v1/agents/{id}</c>: omitted fields keep, lists replace, metadata patches;
/// <c>version</c> is an optimistic lock.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateAgentParams
{
    public long? Version { get; init; }
    public Optional<string?> Name { get; init; }
    public Optional<ModelParams?> Model { get; init; }
    public Optional<string?> Description { get; init; }
    public Optional<string?> System { get; init; }
    public Optional<IReadOnlyList<AgentToolParams?>?> Tools { get; init; }
    public Optional<IReadOnlyList<McpServerParams?>?> McpServers { get; init; }
    public Optional<IReadOnlyList<AgentSkillParams?>?> Skills { get; init; }
    public Optional<JsonElement?> Multiagent { get; init; }
    public Optional<ExecutionIdentity?> ExecutionIdentity { get; init; }
    public Dictionary<string, string?>? Metadata { get; init; }

    /// <summary>The version the client expects to change, if it said.</summary>
    public int? ExpectedVersion => (int?)Check.Range(Version, "version", 1, int.MaxValue);

    /// <summary>
    /// <paramref name="current"/> with this update applied. <c>version</c> and <c>updated_at</c> stay as
    /// they were so the caller can tell a no-op update (an equal agent) from a change.
    /// </summary>
    public Agent ApplyTo(Agent current)
    {
        var name = Name.IsSet
            ? Name.Value is null
                ? throw new InvalidRequestException("name: cannot be cleared; give a new name or omit the field.")
                : Check.Required(Name.Value, "name", CreateAgentParams.MaxNameLength)
            : current.Name;
        var model = Model.IsSet
            ? (Model.Value ?? throw new InvalidRequestException("model: cannot be cleared; give a model or omit the field."))
                .Validate("model", current.Model)
            : current.Model;
        var tools = Tools.IsSet ? AgentToolList.Validate(Tools.Value) : current.Tools;
        var servers = McpServers.IsSet ? AgentToolList.Validate(McpServers.Value) : current.McpServers;
        AgentToolList.CheckMcpReferences(tools, servers);
        return current with
        {
            Name = name,
            Model = model,
            Description = Description.IsSet ? Check.Clearable(Description.Value, "description", CreateAgentParams.MaxDescriptionLength) : current.Description,
            System = System.IsSet ? Check.Clearable(System.Value, "system", CreateAgentParams.MaxSystemLength) : current.System,
            Tools = tools,
            McpServers = servers,
            Skills = Skills.IsSet ? AgentToolList.Validate(Skills.Value) : current.Skills,
            Multiagent = Multiagent.IsSet ? CreateAgentParams.RefuseMultiagent(Multiagent.Value) : current.Multiagent,
            ExecutionIdentity = ExecutionIdentity.IsSet ? CreateAgentParams.ValidateIdentity(ExecutionIdentity.Value) : current.ExecutionIdentity,
            Metadata = Contracts.ResourceMetadata.Patch(current.Metadata, Metadata),
        };
    }
}
