using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;

namespace Hangar.Server.Endpoints;

/// <summary>Session events (§9): send user events, list the history. The stream is in <see cref="SessionStream"/>.</summary>
public static class SessionEventEndpoints
{
    private const string ListName = "events";

    public static RouteGroupBuilder MapSessionEvents(this RouteGroupBuilder v1)
    {
        v1.MapPost("/sessions/{id}/events", SendAsync);
        v1.MapGet("/sessions/{id}/events", ListAsync);
        v1.MapGet("/sessions/{id}/events/stream", SessionStream.StreamAsync);
        return v1;
    }

    private static async Task<IResult> SendAsync(string id, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var session = await SessionRepository.GetAsync(store, workspaceId, id, ct);
        var body = await JsonBody.ReadObjectAsync(context);
        foreach (var (key, _) in body)
        {
            if (key != "events")
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted.");
            }
        }
        var list = JsonFields.OptionalArray(body, "events", UserEvents.MaxPerRequest)
            ?? throw new InvalidRequestException("events: Field required.");
        if (list.Count == 0)
        {
            throw new InvalidRequestException("events: send at least one event.");
        }
        var selfHosted = await IsSelfHostedAsync(store, workspaceId, session, ct);
        var events = UserEvents.ParseSend(list, new UserEvents.Context(selfHosted), time.GetUtcNow());
        SessionRules.RefuseIfEnded(session, "sending events");
        await EventFileReferences.CheckAsync(store, workspaceId, events, ct);
        await ToolResultCheck.CheckAsync(store, id, events, ct);
        if (RunningSessionQuota.Starts(events.Select(e => e.Type), session.Status))
        {
            await RunningSessionQuota.CheckAsync(context, store, workspaceId, ct);
        }
        IReadOnlyList<EventRecord> stored;
        try
        {
            // Input the harness must act on flags the session as having work in the same transaction.
            stored = events.Any(e => UserEvents.NeedsHarness(e.Type))
                ? await store.Leases.AppendWithWorkAsync(workspaceId, id, events, CancellationToken.None)
                : await store.Events.AppendAsync(workspaceId, id, events, CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            throw SessionRepository.NotFound(id);
        }
        catch (Exception error) when (ToolResultGuard.IsSecondResult(error))
        {
            // Another result for the same call committed between the check and this append
            // (two workers answering at once): the database refused this one as a whole.
            throw ToolResultCheck.AlreadyAnswered(events);
        }
        // The session may have been archived between the check and the append; the harness
        // ignores input to an archived session, and the client learns it on its next request.
        return WireResults.Json(new JsonObject { ["data"] = new JsonArray([.. stored.Select(e => (JsonNode)EventJson.ToWire(e))]) });
    }

    private static async Task<IResult> ListAsync(string id, HttpContext context, IHangarStore store)
    {
        var ct = context.RequestAborted;
        var request = context.Request;
        var session = await SessionRepository.GetAsync(store, ApiKeyAuthentication.WorkspaceOf(context), id, ct);
        var order = QueryParameters.Choice(request, "order", "asc", "asc", "desc");
        var limit = QueryParameters.Limit(request, 100, 1000);
        var after = PageToken.Decode(request, ListName + order) is { } token
            ? long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq
                : throw new InvalidRequestException("page: not a valid cursor for this list.")
            : 0;
        var query = new EventQuery(limit, order == "asc" ? after : 0, order == "desc")
        {
            BeforeSeq = order == "desc" ? after : 0,
            Types = QueryParameters.Array(request, "types"),
            ProcessedGt = QueryParameters.Timestamp(request, "created_at[gt]"),
            ProcessedGte = QueryParameters.Timestamp(request, "created_at[gte]"),
            ProcessedLt = QueryParameters.Timestamp(request, "created_at[lt]"),
            ProcessedLte = QueryParameters.Timestamp(request, "created_at[lte]"),
        };
        var page = await store.Events.ListAsync(session.Id, query, ct);
        var next = page.HasMore && page.Items.Count > 0
            ? PageToken.Encode(ListName + order, page.Items[^1].Seq.ToString(CultureInfo.InvariantCulture))
            : null;
        return WireResults.Page(page.Items.Select(e => (JsonNode)EventJson.ToWire(e)), next);
    }

    private static async Task<bool> IsSelfHostedAsync(IHangarStore store, string workspaceId, StoredSession session, CancellationToken ct)
    {
        var environmentId = (string?)session.Json["environment_id"];
        var environment = environmentId is null ? null : await store.Resources.GetAsync(ResourceKind.Environment, workspaceId, environmentId, ct);
        return environment is not null && (string?)JsonNode.Parse(environment.Json)?["config"]?["type"] == "self_hosted";
    }
}
