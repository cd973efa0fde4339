using Hangar.Contracts;
using Hangar.Contracts.Agents;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Storage;
using WireJson = Hangar.Contracts.Serialization.WireJson;

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
        var agents = v1.MapGroup("/agents").WithTags("Agents");
        agents.MapPost("", CreateAsync).WithName("CreateAgent");
        agents.MapGet("", ListAsync).WithName("ListAgents");
        agents.MapGet("/{id}", GetAsync).WithName("GetAgent");
        agents.MapPost("/{id}", UpdateAsync).WithName("UpdateAgent");
        agents.MapPost("/{id}/archive", ArchiveAsync).WithName("ArchiveAgent");
        agents.MapGet("/{id}/versions", ListVersionsAsync).WithName("ListAgentVersions");
        return v1;
    }

    private static async Task<Wire<Agent>> CreateAsync(
        Body<CreateAgentParams> body, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Agent, now);
        var json = WireJson.Serialize(body.Value.ToAgent(id, now));
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        await store.Agents.CreateAsync(
            new ResourceRecord(ResourceKind.Agent, workspace, id, json, 1, now, null),
            new AgentVersionRecord(id, 1, json, now),
            context.RequestAborted);
        return Wire<Agent>.Of(json);
    }

    private static async Task<Wire<Agent>> GetAsync(HttpContext context, IHangarStore store, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var version = QueryParameters.Integer(context.Request, "version", 1, int.MaxValue);
        if (version is null)
        {
            return Wire<Agent>.Of(record.Json);
        }
        var stored = await store.Agents.GetVersionAsync(workspace, id, version.Value, context.RequestAborted)
            ?? throw new NotFoundException($"The agent '{id}' has no version {version}.");
        return Wire<Agent>.Of(AsOfNow(stored, record));
    }

    private static async Task<Wire<Agent>> UpdateAsync(
        Body<UpdateAgentParams> body, HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var update = body.Value;
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        var current = WireJson.Deserialize<Agent>(record.Json);
        if (update.ExpectedVersion is { } expected && expected != current.Version)
        {
            throw new ConflictException(
                $"version: the agent is at version {current.Version}, not {expected}; fetch it again and reapply your change.");
        }
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This agent is archived and read-only; create a new agent instead.", "agent_archived");
        }
        var next = update.ApplyTo(current);
        if (WireJson.Serialize(next) == WireJson.Serialize(current))
        {
            return Wire<Agent>.Of(record.Json);
        }
        var now = time.GetUtcNow();
        var json = WireJson.Serialize(next with { Version = current.Version + 1, UpdatedAt = now });
        var saved = await store.Agents.AddVersionAsync(
            record with { Json = json },
            record.Revision,
            new AgentVersionRecord(id, current.Version + 1, json, now),
            context.RequestAborted);
        return saved
            ? Wire<Agent>.Of(json)
            : throw new ConflictException("The agent was changed by another request at the same time; fetch it again and retry.");
    }

    private static async Task<Wire<Agent>> ArchiveAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Agent, workspace, id, context.RequestAborted);
        if (record.ArchivedAt is not null)
        {
            return Wire<Agent>.Of(record.Json);
        }
        // Archiving is not a config change: no new version; versions read back show archived_at.
        var now = time.GetUtcNow();
        var json = WireJson.Serialize(WireJson.Deserialize<Agent>(record.Json) with { ArchivedAt = now, UpdatedAt = now });
        var saved = await store.Resources.ReplaceAsync(record with { Json = json, ArchivedAt = now }, record.Revision, context.RequestAborted);
        return saved
            ? Wire<Agent>.Of(json)
            : throw new ConflictException("The agent was changed by another request at the same time; retry.");
    }

    private static async Task<Wire<ListPage<Agent>>> ListAsync(HttpContext context, IHangarStore store)
    {
        var query = ListRequest.Read(context.Request, ListName, 20, 100);
        var page = await store.Resources.ListAsync(
            ResourceKind.Agent, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        return WirePage.Of<Agent>(page.Items.Select(r => r.Json), ListRequest.NextPage(ListName, page));
    }

    private static async Task<Wire<ListPage<Agent>>> ListVersionsAsync(HttpContext context, IHangarStore store, string id)
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
        return WirePage.Of<Agent>(page.Items.Select(v => AsOfNow(v, record)), next);
    }

    /// <summary>
    /// A past version as stored, with the agent's current <c>archived_at</c> (archiving applies to all
    /// versions). Versions are stored unarchived, so only an archived agent's are rewritten.
    /// </summary>
    private static string AsOfNow(AgentVersionRecord version, ResourceRecord agent) =>
        agent.ArchivedAt is { } archived
            ? WireJson.Serialize(WireJson.Deserialize<Agent>(version.Json) with { ArchivedAt = archived })
            : version.Json;
}
