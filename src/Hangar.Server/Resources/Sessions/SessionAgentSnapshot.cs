using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Resolves a session's <c>agent</c> param to the snapshot the session runs with: the agent
/// version's JSON without metadata and timestamps, with any session-local overrides applied
/// (behaviour.md §1: omit = inherit, null/[] = clear, value = replace in full).
/// </summary>
public static class SessionAgentSnapshot
{
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
        ReplaceList(snapshot, update, "tools", SessionAgentConfig.MaxTools, "agent");
        ReplaceList(snapshot, update, "mcp_servers", SessionAgentConfig.MaxMcpServers, "agent");
        SessionAgentConfig.CheckConsistent(snapshot, "agent");
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
            snapshot["model"] = SessionAgentConfig.Model(overrides["model"], "agent.model");
        }
        if (JsonFields.Has(overrides, "system"))
        {
            snapshot["system"] = JsonFields.OptionalString(overrides, "system", 100_000, "agent") is { Length: > 0 } system ? system : null;
        }
        ReplaceList(snapshot, overrides, "tools", SessionAgentConfig.MaxTools, "agent");
        ReplaceList(snapshot, overrides, "mcp_servers", SessionAgentConfig.MaxMcpServers, "agent");
        ReplaceList(snapshot, overrides, "skills", SessionAgentConfig.MaxSkills, "agent");
        SessionAgentConfig.CheckConsistent(snapshot, "agent");
    }

    private static void ReplaceList(JsonObject snapshot, JsonObject source, string name, int max, string path)
    {
        if (!JsonFields.Has(source, name))
        {
            return;
        }
        var list = JsonFields.OptionalArray(source, name, max, path) ?? [];
        snapshot[name] = SessionAgentConfig.NormalizeList(name, list, JsonFields.Path(path, name));
    }
}
