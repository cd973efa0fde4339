using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Resources.Agents;
using Hangar.Storage;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>/v1/agents</c>: versioned agent configs. Every change makes a new immutable version; the
/// agent row always holds the latest. Archived agents are read-only (updates → 400 <c>agent_archived</c>).
/// </summary>
public static class AgentEndpoints
{
    private const string ListName = "agents";

    public static RouteGroupBuilder MapAgents(this RouteGroupBuilder v1)
    {
        var agents = v1.MapGroup("/agents");
        agents.MapPost("", CreateAsync);
        agents.MapGet("", ListAsync);
        agents.MapGet("/{id}", GetAsync);
        agents.MapPost("/{id}", UpdateAsync);
        agents.MapPost("/{id}/archive", ArchiveAsync);
        agents.MapGet("/{id}/versions", ListVersionsAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHangarStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Agent, now);
        var agent = AgentRequest.Create(body, id, now);
        var json = agent.ToJsonString(WireJson.Options);
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        await store.Agents.CreateAsync(
            new ResourceRecord(ResourceKind.Agent, workspace, id, json, 1, now, null),
            new AgentVersionRecord(id, 1, json, now),
            context.RequestAborted);
        return WireResults.Json(agent);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IHangarStore store, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var version = QueryParameters.Integer(context.Request, "version", 1, int.MaxValue);
        if (version is null)
        {
            return WireResults.Json(ResourceLookup.Parse(record));
        }
        var stored = await store.Agents.GetVersionAsync(workspace, id, version.Value, context.RequestAborted)
            ?? throw new NotFoundException($"The agent '{id}' has no version {version}.");
        return WireResults.Json(AsOfNow(stored, record));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var body = await JsonBody.ReadObjectAsync(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var current = ResourceLookup.Parse(record);
        var currentVersion = (int)current["version"]!;
        var expected = JsonFields.OptionalInteger(body, "version", 1, int.MaxValue);
        if (expected is not null && expected != currentVersion)
        {
            throw new ConflictException(
                $"version: the agent is at version {currentVersion}, not {expected}; fetch it again and reapply your change.");
        }
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This agent is archived and read-only; create a new agent instead.", "agent_archived");
        }
        var next = AgentRequest.Update(current, body);
        if (JsonNode.DeepEquals(next, current))
        {
            return WireResults.Json(current);
        }
        var now = time.GetUtcNow();
        next["version"] = currentVersion + 1;
        next["updated_at"] = WireJson.Timestamp(now);
        var json = next.ToJsonString(WireJson.Options);
        var saved = await store.Agents.AddVersionAsync(
            record with { Json = json },
            record.Revision,
            new AgentVersionRecord(id, currentVersion + 1, json, now),
            context.RequestAborted);
        return saved
            ? WireResults.Json(next)
            : throw new ConflictException("The agent was changed by another request at the same time; fetch it again and retry.");
    }

    private static async Task<IResult> ArchiveAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var agent = ResourceLookup.Parse(record);
        if (record.ArchivedAt is not null)
        {
            return WireResults.Json(agent);
        }
        // Archiving is not a config change: no new version; versions read back show archived_at.
        var now = time.GetUtcNow();
        agent["archived_at"] = WireJson.Timestamp(now);
        agent["updated_at"] = WireJson.Timestamp(now);
        var saved = await store.Resources.ReplaceAsync(
            record with { Json = agent.ToJsonString(WireJson.Options), ArchivedAt = now }, record.Revision, context.RequestAborted);
        return saved
            ? WireResults.Json(agent)
            : throw new ConflictException("The agent was changed by another request at the same time; retry.");
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store)
    {
        var query = ListRequest.Read(context.Request, ListName, 20, 100);
        var page = await store.Resources.ListAsync(
            ResourceKind.Agent, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        return WireResults.Page(page.Items.Select(r => (JsonNode)ResourceLookup.Parse(r)), ListRequest.NextPage(ListName, page));
    }

    private static async Task<IResult> ListVersionsAsync(HttpContext context, IHangarStore store, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var list = "agent_versions:" + id;
        var limit = QueryParameters.Limit(context.Request, 20, 100);
        var after = PageToken.Decode(context.Request, list) is { } token
            ? int.TryParse(token, out var v) ? v : throw new InvalidRequestException("page: not a valid cursor for this list.")
            : 0;
        var page = await store.Agents.ListVersionsAsync(workspace, id, limit, after, context.RequestAborted);
        var next = page.HasMore && page.Items.Count > 0
            ? PageToken.Encode(list, page.Items[^1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;
        return WireResults.Page(page.Items.Select(v => (JsonNode)AsOfNow(v, record)), next);
    }

    /// <summary>A past version as stored, with the agent's current <c>archived_at</c> (archiving applies to all versions).</summary>
    private static JsonObject AsOfNow(AgentVersionRecord version, ResourceRecord agent)
    {
        var json = JsonNode.Parse(version.Json)!.AsObject();
        json["archived_at"] = agent.ArchivedAt is { } archived ? WireJson.Timestamp(archived) : null;
        return json;
    }
}
