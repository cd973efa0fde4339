using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Resources.Environments;
using Hangar.Storage;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>/v1/environments</c>: unversioned sandbox templates, names unique per workspace (the store
/// enforces it; a clash is a 409), archived ones read-only (400 <c>environment_archived</c>), and
/// deletable only while no session references them (else 409: archive instead).
/// </summary>
public static class EnvironmentEndpoints
{
    private const string ListName = "environments";

    public static RouteGroupBuilder MapEnvironments(this RouteGroupBuilder v1)
    {
        var environments = v1.MapGroup("/environments");
        environments.MapPost("", CreateAsync);
        environments.MapGet("", ListAsync);
        environments.MapGet("/{id}", GetAsync);
        environments.MapPost("/{id}", UpdateAsync);
        environments.MapDelete("/{id}", DeleteAsync);
        environments.MapPost("/{id}/archive", ArchiveAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHangarStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Environment, now);
        var environment = EnvironmentRequest.Create(body, id, now);
        await store.Resources.InsertAsync(
            new ResourceRecord(ResourceKind.Environment, ApiKeyAuthentication.WorkspaceOf(context), id,
                environment.ToJsonString(WireJson.Options), 1, now, null, UniqueName: (string)environment["name"]!),
            context.RequestAborted);
        return WireResults.Json(environment);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IHangarStore store, string id)
    {
        var record = await ResourceLookup.GetAsync(
            store, ResourceKind.Environment, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        return WireResults.Json(ResourceLookup.Parse(record));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var body = await JsonBody.ReadObjectAsync(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Environment, workspace, id, context.RequestAborted);
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This environment is archived and can no longer be changed.", "environment_archived");
        }
        var current = ResourceLookup.Parse(record);
        var next = EnvironmentRequest.Update(current, body);
        if (JsonNode.DeepEquals(next, current))
        {
            return WireResults.Json(current);
        }
        next["updated_at"] = WireJson.Timestamp(time.GetUtcNow());
        var saved = await store.Resources.ReplaceAsync(
            record with { Json = next.ToJsonString(WireJson.Options), UniqueName = (string)next["name"]! },
            record.Revision, context.RequestAborted);
        return saved
            ? WireResults.Json(next)
            : throw new ConflictException("The environment was changed by another request at the same time; fetch it again and retry.");
    }

    private static async Task<IResult> ArchiveAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var record = await ResourceLookup.GetAsync(
            store, ResourceKind.Environment, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        var environment = ResourceLookup.Parse(record);
        if (record.ArchivedAt is not null)
        {
            return WireResults.Json(environment);
        }
        var now = time.GetUtcNow();
        environment["archived_at"] = WireJson.Timestamp(now);
        environment["updated_at"] = WireJson.Timestamp(now);
        var saved = await store.Resources.ReplaceAsync(
            record with { Json = environment.ToJsonString(WireJson.Options), ArchivedAt = now }, record.Revision, context.RequestAborted);
        return saved
            ? WireResults.Json(environment)
            : throw new ConflictException("The environment was changed by another request at the same time; retry.");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IHangarStore store, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.Environment, workspace, id, context.RequestAborted);
        // Sessions keep pointing at their environment (archived ones too), so it may only go once unreferenced.
        var sessions = await CountSessionsUsingAsync(store, workspace, record.Id, context.RequestAborted);
        if (sessions > 0)
        {
            throw new ConflictException($"environment is used by {sessions} session(s); archive it instead.");
        }
        if (!await store.Resources.DeleteAsync(ResourceKind.Environment, workspace, record.Id, context.RequestAborted))
        {
            throw new NotFoundException($"No environment with id '{id}' exists in this workspace.");
        }
        return WireResults.Deleted(record.Id, "environment_deleted");
    }

    private static async Task<int> CountSessionsUsingAsync(IHangarStore store, string workspace, string environmentId, CancellationToken ct)
    {
        var count = 0;
        string? after = null;
        while (true)
        {
            var page = await store.Resources.ListAsync(ResourceKind.Session, workspace,
                new ResourceQuery(100, after, IncludeArchived: true) { EnvironmentId = environmentId }, ct);
            count += page.Items.Count;
            if (!page.HasMore)
            {
                return count;
            }
            after = page.Items[^1].Id;
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store)
    {
        var query = ListRequest.Read(context.Request, ListName, 20, 100);
        var page = await store.Resources.ListAsync(
            ResourceKind.Environment, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        return WireResults.Page(page.Items.Select(r => (JsonNode)ResourceLookup.Parse(r)), ListRequest.NextPage(ListName, page));
    }
}
