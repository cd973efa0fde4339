using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Endpoints;

/// <summary>Sessions (§7): create, get, list, update, archive, delete.</summary>
public static class SessionEndpoints
{
    private const string ListName = "sessions";
    private static readonly string[] Statuses = ["idle", "running", "rescheduling", "terminated"];

    public static RouteGroupBuilder MapSessions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/sessions", CreateAsync);
        v1.MapGet("/sessions", ListAsync);
        v1.MapGet("/sessions/{id}", GetAsync);
        v1.MapPost("/sessions/{id}", UpdateAsync);
        v1.MapPost("/sessions/{id}/archive", ArchiveAsync);
        v1.MapDelete("/sessions/{id}", DeleteAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHangarStore store, CredentialSecrets secrets, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var body = await JsonBody.ReadObjectAsync(context);
        var request = await SessionRequest.ParseAsync(store, workspaceId, body, time.GetUtcNow(), secrets.Cipher, ct);
        await EventFileReferences.CheckAsync(store, workspaceId, request.InitialEvents, ct);
        var record = request.Session.ToRecord(archivedAt: null);
        if (request.InitialEvents.Count > 0)
        {
            // Initial events start the session at once: the running-sessions quota applies before anything is stored.
            await RunningSessionQuota.CheckAsync(context, store, workspaceId, ct);
        }
        await store.Resources.InsertAsync(record, ct);
        if (request.InitialEvents.Count > 0)
        {
            // Appended in the same request so a client that lists events right after sees them,
            // with the work flag that wakes the harness.
            await store.Leases.AppendWithWorkAsync(workspaceId, record.Id, request.InitialEvents, CancellationToken.None);
        }
        return WireResults.Json(request.Session.ToWire());
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IHangarStore store)
    {
        var session = await SessionRepository.GetAsync(store, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        return WireResults.Json(session.ToWire());
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store)
    {
        var request = context.Request;
        var order = QueryParameters.Choice(request, "order", "desc", "asc", "desc");
        var statuses = QueryParameters.Array(request, "statuses");
        if (statuses?.FirstOrDefault(s => !Statuses.Contains(s)) is { } badStatus)
        {
            throw new InvalidRequestException($"statuses: unknown status '{badStatus}'; expected any of {string.Join(", ", Statuses)}.");
        }
        var agentId = QueryParameters.Single(request, "agent_id");
        var query = new ResourceQuery(
            QueryParameters.Limit(request, 20, 100),
            PageToken.Decode(request, ListName + order),
            Descending: order == "desc",
            IncludeArchived: QueryParameters.Bool(request, "include_archived"))
        {
            AgentId = agentId,
            AgentVersion = QueryParameters.Integer(request, "agent_version", 1, int.MaxValue),
            Statuses = statuses,
            CreatedGt = QueryParameters.Timestamp(request, "created_at[gt]"),
            CreatedGte = QueryParameters.Timestamp(request, "created_at[gte]"),
            CreatedLt = QueryParameters.Timestamp(request, "created_at[lt]"),
            CreatedLte = QueryParameters.Timestamp(request, "created_at[lte]"),
        };
        if (query.AgentVersion is not null && agentId is null)
        {
            throw new InvalidRequestException("agent_version: only allowed together with agent_id.");
        }
        // No session belongs to a deployment or mounts a memory store yet, so those filters match nothing.
        if (QueryParameters.Single(request, "deployment_id") is not null || QueryParameters.Single(request, "memory_store_id") is not null)
        {
            return WireResults.Page([], null, ("prev_page", null));
        }
        var page = await store.Resources.ListAsync(ResourceKind.Session, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        var next = page.HasMore && page.Items.Count > 0 ? PageToken.Encode(ListName + order, page.Items[^1].Id) : null;
        return WireResults.Page(page.Items.Select(r => (JsonNode)StoredSession.From(r).ToWire()), next, ("prev_page", null));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var body = await JsonBody.ReadObjectAsync(context);
        var now = time.GetUtcNow();
        JsonObject? changes = null;
        var session = await SessionRepository.UpdateAsync(store, workspaceId, id, current =>
        {
            changes = SessionUpdate.Apply(current, body);
            if (changes.Count == 0)
            {
                return SessionChange.Unchanged;
            }
            current.Json["updated_at"] = WireJson.Timestamp(now);
            return SessionChange.Write;
        }, ct);
        if (changes is { Count: > 0 })
        {
            var updated = new JsonObject { ["type"] = "session.updated", ["id"] = Ids.New(Ids.Event) };
            foreach (var (key, value) in changes)
            {
                updated[key] = value?.DeepClone();
            }
            updated["processed_at"] = WireJson.Timestamp(now);
            await AppendQuietlyAsync(store, workspaceId, id, updated, now);
        }
        return WireResults.Json(session.ToWire());
    }

    private static async Task<IResult> ArchiveAsync(string id, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var archived = false;
        var session = await SessionRepository.UpdateAsync(store, workspaceId, id, current =>
        {
            if (current.IsArchived)
            {
                return SessionChange.Unchanged;
            }
            SessionRules.RefuseWhileRunning(current, "archived");
            current.Json["status"] = "terminated";
            current.Json["archived_at"] = WireJson.Timestamp(now);
            current.Json["updated_at"] = WireJson.Timestamp(now);
            archived = true;
            return new SessionChange(true, now);
        }, context.RequestAborted);
        if (archived)
        {
            // Archive is the session's irreversible end: the one final status event, so a client
            // gating "done" on status_terminated (and open streams) see it.
            await AppendQuietlyAsync(store, workspaceId, id, new JsonObject
            {
                ["type"] = "session.status_terminated",
                ["id"] = Ids.New(Ids.Event),
                ["processed_at"] = WireJson.Timestamp(now),
            }, now);
        }
        return WireResults.Json(session.ToWire());
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var session = await SessionRepository.GetAsync(store, workspaceId, id, ct);
        SessionRules.RefuseWhileRunning(session, "deleted");
        // The session.deleted event wakes every open stream (in any process) before the log goes;
        // a stream that then finds the session gone ends with a session.deleted frame of its own.
        var now = time.GetUtcNow();
        var deleted = new JsonObject
        {
            ["type"] = "session.deleted",
            ["id"] = Ids.New(Ids.Event),
            ["processed_at"] = WireJson.Timestamp(now),
        };
        await AppendQuietlyAsync(store, workspaceId, id, deleted, now);
        if (!await store.Resources.DeleteAsync(ResourceKind.Session, workspaceId, id, CancellationToken.None))
        {
            throw SessionRepository.NotFound(id);
        }
        return WireResults.Deleted(id, "session_deleted");
    }

    /// <summary>Appends a server event, tolerating a session deleted in between (nothing left to tell).</summary>
    private static async Task AppendQuietlyAsync(IHangarStore store, string workspaceId, string sessionId, JsonObject evt, DateTimeOffset now)
    {
        try
        {
            await store.Events.AppendAsync(workspaceId, sessionId,
                [new NewEvent((string)evt["id"]!, (string)evt["type"]!, evt.ToJsonString(), now)], CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            // Deleted concurrently.
        }
    }
}
