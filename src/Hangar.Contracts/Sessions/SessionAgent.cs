using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Contracts.Agents;

namespace Hangar.Contracts.Sessions;

/// <summary>
/// A session's <c>agent</c>: the agent version it runs with, overrides applied, without metadata
/// and timestamps (api.md §7). The harness builds each model request's tools from it.
/// </summary>
public sealed record SessionAgent(
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
    ExecutionIdentity ExecutionIdentity)
{
    [JsonPropertyOrder(-1)]
    public string Type => Agent.ObjectType;

    public static SessionAgent From(Agent agent) => new(
        agent.Id, agent.Version, agent.Name, agent.Description, agent.System, agent.Model,
        agent.Tools, agent.McpServers, agent.Skills, agent.Multiagent, agent.ExecutionIdentity);
}
