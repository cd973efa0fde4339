using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Tests.Sessions;

/// <summary>
/// Puts agents, environments and files straight into the store in their wire shapes (§5, §6),
/// so session tests do not depend on those routes.
/// </summary>
public static class SessionSeed
{
    public static async Task<string> AgentAsync(IHangarStore store, string workspaceId, string system = "You are v1.", bool archived = false)
    {
        var now = DateTimeOffset.UtcNow;
        var id = Ids.New(Ids.Agent);
        var json = AgentJson(id, 1, system, now, archived);
        await store.Agents.CreateAsync(
            new ResourceRecord(ResourceKind.Agent, workspaceId, id, json, 0, now, archived ? now : null),
            new AgentVersionRecord(id, 1, json, now), CancellationToken.None);
        return id;
    }

    public static async Task AddVersionAsync(IHangarStore store, string workspaceId, string agentId, int version, string system)
    {
        var current = await store.Resources.GetAsync(ResourceKind.Agent, workspaceId, agentId, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var json = AgentJson(agentId, version, system, now, archived: false);
        Assert.True(await store.Agents.AddVersionAsync(current! with { Json = json }, current.Revision,
            new AgentVersionRecord(agentId, version, json, now), CancellationToken.None));
    }

    public static async Task<string> EnvironmentAsync(IHangarStore store, string workspaceId, string configType = "cloud", bool archived = false)
    {
        var now = DateTimeOffset.UtcNow;
        var id = Ids.New(Ids.Environment);
        var config = configType == "cloud"
            ? new JsonObject
            {
                ["type"] = "cloud",
                ["networking"] = new JsonObject { ["type"] = "unrestricted" },
                ["packages"] = new JsonObject { ["type"] = "packages", ["apt"] = new JsonArray(), ["cargo"] = new JsonArray(), ["gem"] = new JsonArray(), ["go"] = new JsonArray(), ["npm"] = new JsonArray(), ["pip"] = new JsonArray() },
            }
            : new JsonObject { ["type"] = "self_hosted" };
        var json = new JsonObject
        {
            ["type"] = "environment",
            ["id"] = id,
            ["name"] = "env-" + id,
            ["description"] = null,
            ["config"] = config,
            ["metadata"] = new JsonObject(),
            ["scope"] = "organization",
            ["created_at"] = Stamp(now),
            ["updated_at"] = Stamp(now),
            ["archived_at"] = archived ? Stamp(now) : null,
        };
        await store.Resources.InsertAsync(new ResourceRecord(ResourceKind.Environment, workspaceId, id, json.ToJsonString(), 0, now,
            archived ? now : null, UniqueName: "env-" + id), CancellationToken.None);
        return id;
    }

    public static async Task<string> FileAsync(IHangarStore store, string workspaceId)
    {
        var now = DateTimeOffset.UtcNow;
        var id = Ids.New(Ids.File);
        var json = new JsonObject
        {
            ["type"] = "file",
            ["id"] = id,
            ["filename"] = "a.txt",
            ["mime_type"] = "text/plain",
            ["size_bytes"] = 1,
            ["created_at"] = Stamp(now),
            ["downloadable"] = false,
        };
        await store.Resources.InsertAsync(new ResourceRecord(ResourceKind.File, workspaceId, id, json.ToJsonString(), 0, now, null), CancellationToken.None);
        return id;
    }

    private static string AgentJson(string id, int version, string system, DateTimeOffset now, bool archived) => new JsonObject
    {
        ["type"] = "agent",
        ["id"] = id,
        ["version"] = version,
        ["name"] = "Coder",
        ["description"] = null,
        ["system"] = system,
        ["model"] = new JsonObject { ["id"] = "claude-opus-4-6", ["effort"] = new JsonObject { ["type"] = "high" }, ["speed"] = "standard" },
        ["tools"] = new JsonArray(new JsonObject
        {
            ["type"] = "agent_toolset_20260401",
            ["default_config"] = new JsonObject { ["enabled"] = true, ["permission_policy"] = new JsonObject { ["type"] = "always_allow" } },
            ["configs"] = new JsonArray(),
        }),
        ["mcp_servers"] = new JsonArray(),
        ["skills"] = new JsonArray(),
        ["multiagent"] = null,
        ["execution_identity"] = new JsonObject { ["type"] = "service_account" },
        ["metadata"] = new JsonObject { ["team"] = "a" },
        ["created_at"] = Stamp(now),
        ["updated_at"] = Stamp(now),
        ["archived_at"] = archived ? Stamp(now) : null,
    }.ToJsonString();

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
