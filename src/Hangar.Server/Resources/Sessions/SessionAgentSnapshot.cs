using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Contracts.Agents;
using Hangar.Contracts.Serialization;
using Hangar.Server.Http;
using Hangar.Storage;
using WireJson = Hangar.Contracts.Serialization.WireJson;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Resolves a session's <c>agent</c> param to the snapshot the session runs with: the agent
/// version's JSON without metadata and timestamps, with any session-local overrides applied
/// (behaviour.md §1: omit = inherit, null/[] = clear, value = replace in full). Overrides are
/// validated and normalised by the agents' own code, with error paths under <c>agent.</c>; only
/// the session-specific rules live here.
/// </summary>
public static class SessionAgentSnapshot
{
    private const string Path = "agent";
    private static readonly string[] DroppedKeys = ["metadata", "created_at", "updated_at", "archived_at"];

    public static async Task<JsonObject> ResolveAsync(IHangarStore store, string workspaceId, JsonNode? param, CancellationToken ct)
    {
        var (agentId, version, overrides) = Read(param);
        var agent = Ids.IsWellFormed(agentId, Ids.Agent)
            ? await store.Resources.GetAsync(ResourceKind.Agent, workspaceId, agentId, ct)
            : null;
        if (agent is null)
        {
            throw new NotFoundException($"agent: no agent with id '{agentId}' in this workspace.");
        }
        if (agent.ArchivedAt is not null)
        {
            throw new InvalidRequestException($"agent: the agent '{agentId}' is archived; new sessions cannot use it.", "agent_archived");
        }
        string json;
        if (version is { } pinned)
        {
            var stored = await store.Agents.GetVersionAsync(workspaceId, agentId, pinned, ct)
                ?? throw new NotFoundException($"agent.version: the agent '{agentId}' has no version {pinned}.");
            json = stored.Json;
        }
        else
        {
            json = agent.Json;
        }
        var snapshot = (JsonObject)JsonNode.Parse(json)!;
        foreach (var key in DroppedKeys)
        {
            snapshot.Remove(key);
        }
        if (overrides is not null)
        {
            ApplyOverrides(snapshot, overrides);
        }
        return snapshot;
    }

    /// <summary>Applies a session update's <c>agent: {tools?, mcp_servers?}</c> to a snapshot (full replacement).</summary>
    public static bool ApplyUpdate(JsonObject snapshot, JsonObject update)
    {
        foreach (var (key, _) in update)
        {
            if (key is not ("tools" or "mcp_servers"))
            {
                throw new InvalidRequestException($"agent.{key}: only tools and mcp_servers can change after a session is created.");
            }
        }
        var before = snapshot.ToJsonString();
        ReplaceToolsAndServers(snapshot, update);
        return snapshot.ToJsonString() != before;
    }

    private static (string Id, int? Version, JsonObject? Overrides) Read(JsonNode? param)
    {
        switch (param)
        {
            case null:
                throw new InvalidRequestException("agent: Field required.");
            case JsonValue value when value.TryGetValue<string>(out var id):
                return (id, null, null);
            case JsonObject obj:
                var type = JsonFields.Discriminator(obj, "agent", "agent", "agent_with_overrides");
                var agentId = JsonFields.RequiredString(obj, "id", 100, "agent");
                var version = (int?)JsonFields.OptionalInteger(obj, "version", 1, int.MaxValue, "agent");
                if (type == "agent")
                {
                    foreach (var (key, _) in obj)
                    {
                        if (key is not ("type" or "id" or "version"))
                        {
                            throw new InvalidRequestException(
                                $"agent.{key}: not allowed with type 'agent'; use type 'agent_with_overrides' to override the agent's config.");
                        }
                    }
                }
                return (agentId, version, type == "agent_with_overrides" ? obj : null);
            default:
                throw new InvalidRequestException($"agent: expected an agent id string or an object, got {JsonFields.Describe(param)}.");
        }
    }

    private static void ApplyOverrides(JsonObject snapshot, JsonObject overrides)
    {
        foreach (var (key, _) in overrides)
        {
            if (key is not ("type" or "id" or "version" or "model" or "system" or "tools" or "mcp_servers" or "skills"))
            {
                throw new InvalidRequestException($"agent.{key}: cannot be overridden per session.");
            }
        }
        if (JsonFields.Has(overrides, "model"))
        {
            // Unlike an agent update, the override replaces the whole model object: no effort is carried over.
            snapshot["model"] = JsonFields.IsNull(overrides, "model")
                ? throw new InvalidRequestException("agent.model: a session's model cannot be cleared; give a model or omit the field.", "agent_model_required")
                : Node(CreateAgentParams.RequireModel(RequestJson.Read<ModelParams>(overrides["model"], "agent.model"), "agent.model").Validate("agent.model"));
        }
        if (JsonFields.Has(overrides, "system"))
        {
            snapshot["system"] = JsonFields.OptionalString(overrides, "system", CreateAgentParams.MaxSystemLength, Path) is { Length: > 0 } system ? system : null;
        }
        if (JsonFields.Has(overrides, "skills"))
        {
            snapshot["skills"] = Node(AgentToolList.Validate(RequestJson.Read<IReadOnlyList<AgentSkillParams?>>(overrides["skills"], "agent.skills"), Path));
        }
        ReplaceToolsAndServers(snapshot, overrides);
    }

    /// <summary>
    /// Replaces tools and/or MCP servers in full, then checks the session rules: toolsets and servers
    /// still match, and tools are not cleared while the session has skills (skills need the read tool).
    /// </summary>
    private static void ReplaceToolsAndServers(JsonObject snapshot, JsonObject source)
    {
        if (JsonFields.Has(source, "tools"))
        {
            snapshot["tools"] = Node(AgentToolList.Validate(RequestJson.Read<IReadOnlyList<AgentToolParams?>>(source["tools"], "agent.tools"), Path));
        }
        if (JsonFields.Has(source, "mcp_servers"))
        {
            snapshot["mcp_servers"] = Node(AgentToolList.Validate(RequestJson.Read<IReadOnlyList<McpServerParams?>>(source["mcp_servers"], "agent.mcp_servers"), Path));
        }
        AgentToolList.CheckMcpReferences(
            snapshot["tools"].Deserialize(WireJson.Info<IReadOnlyList<AgentTool>>()) ?? [],
            snapshot["mcp_servers"].Deserialize(WireJson.Info<IReadOnlyList<McpServer>>()) ?? [],
            Path);
        if (JsonFields.Has(source, "tools") && snapshot["tools"] is JsonArray { Count: 0 } && snapshot["skills"] is JsonArray { Count: > 0 })
        {
            throw new InvalidRequestException("agent.tools: cannot be cleared while the session has skills (skills need the read tool).");
        }
    }

    /// <summary>A validated record as the snapshot's JSON (until sessions are records too).</summary>
    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, WireJson.Info<T>());
}
