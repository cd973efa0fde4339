using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Contracts.Work;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Work;
using Hangar.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using WorkItem = Hangar.Contracts.Work.Work;

namespace Hangar.Server.Endpoints;

/// <summary>
/// The self-hosted work protocol (api.md §12): workers poll, ack, heartbeat and stop work items
/// with an environment key (or the item's sessions token); operators list, inspect, annotate and
/// stop them with an API key. Who may call which route is checked by <see cref="WorkAccess"/>.
/// </summary>
public static class WorkEndpoints
{
    private const string ListName = "work";
    private const string NoHeartbeat = "NO_HEARTBEAT";
    private static readonly TimeSpan PollerWindow = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapWork(this RouteGroupBuilder v1)
    {
        var work = v1.MapGroup("/environments/{environmentId}/work").SettlingLapsedStops();
        work.MapGet("/poll", PollAsync);
        work.MapGet("/stats", StatsAsync);
        work.MapGet("", ListAsync);
        work.MapGet("/{workId}", GetAsync);
        work.MapPost("/{workId}", UpdateAsync);
        work.MapPost("/{workId}/ack", AckAsync);
        work.MapPost("/{workId}/heartbeat", HeartbeatAsync);
        work.MapPost("/{workId}/stop", StopAsync);
        return v1;
    }

    private static async Task<Results<JsonHttpResult<WorkItem>, ContentHttpResult>> PollAsync(
        string environmentId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var key = WorkCaller.Of(context) as WorkCaller.EnvironmentKey
            ?? throw new PermissionException("Only an environment key can poll for work.");
        var (block, reclaim) = WorkPolling.ReadQuery(context.Request);
        var workerId = context.Request.Headers["Anthropic-Worker-ID"].ToString();
        if (workerId.Length is > 0 and <= 256)
        {
            await store.Work.RecordPollAsync(environmentId, workerId, Now(time), ct);
        }
        var token = WorkCredentials.NewSessionsToken();
        var tokenHash = ApiKeys.Hash(token);
        var item = await WorkPolling.ClaimAsync(
            store.Work, () => new WorkClaim(environmentId, workerId, key.Key.Id, tokenHash, reclaim, Now(time)), block, time, ct);
        if (item is null)
        {
            // 200 with a JSON null body: the C# SDK cannot parse 204 or an empty body.
            return TypedResults.Content("null", "application/json");
        }
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        return Json(WorkWire.ToWire(item, WorkWire.Secret(token, baseUrl)));
    }

    private static async Task<JsonHttpResult<WorkItem>> AckAsync(
        string environmentId, string workId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var item = await store.Work.AcknowledgeAsync(environmentId, workId, Now(time), context.RequestAborted)
            ?? throw NotFound(workId);
        return item switch
        {
            { State: WorkStates.Starting or WorkStates.Active } => Json(WorkWire.ToWire(item)),
            { State: WorkStates.Queued } => throw new ConflictException("The work item has not been claimed; poll for it first."),
            _ => throw new ConflictException($"The work item is {item.State} and can no longer be acknowledged."),
        };
    }

    private static async Task<JsonHttpResult<WorkHeartbeat>> HeartbeatAsync(
        string environmentId, string workId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var request = context.Request;
        var expectedText = QueryParameters.Single(request, "expected_last_heartbeat")
            ?? throw new InvalidRequestException($"expected_last_heartbeat: Field required ('{NoHeartbeat}' on the first heartbeat, then the last_heartbeat you were given).");
        DateTimeOffset? expected = expectedText == NoHeartbeat ? null
            : WireTimestamp.TryParse(expectedText)
                ?? throw new InvalidRequestException($"expected_last_heartbeat: expected '{NoHeartbeat}' or an RFC 3339 timestamp.");
        var ttl = QueryParameters.Integer(request, "desired_ttl_seconds", 1, 3600);
        var outcome = await store.Work.HeartbeatAsync(environmentId, workId, expected, ttl, Now(time), context.RequestAborted);
        var item = outcome.Item ?? throw NotFound(workId);
        if (!outcome.Accepted)
        {
            throw new HeartbeatPreconditionFailedException(WorkWire.LeaseState(item, extended: false));
        }
        var lease = WorkWire.LeaseState(item, outcome.LeaseExtended);
        return TypedResults.Json(
            new WorkHeartbeat(lease.LastHeartbeat ?? "", lease.LeaseExtended, lease.State, lease.TtlSeconds),
            WorkJsonContext.Default.WorkHeartbeat);
    }

    private static async Task<JsonHttpResult<WorkItem>> StopAsync(
        string environmentId, string workId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var worker = WorkCaller.Of(context);
        if (worker is null)
        {
            await EnvironmentAsync(context, store, environmentId);
        }
        var request = WorkStopRequest.Parse(await ReadOptionalBodyAsync(context));
        // An operator's stop asks the worker to wind down (stopping); the worker's own stop, graceful
        // or not, is it leaving or confirming: nobody is left to tell, so the item is stopped at once.
        var (before, after) = await store.Work.StopAsync(environmentId, workId, request.Force || worker is not null, Now(time), ct)
            ?? throw NotFound(workId);
        if (before.State == WorkStates.Stopped)
        {
            throw new ConflictException("The work item is already stopped.");
        }
        if (after.State == WorkStates.Stopped)
        {
            // The residency ended: if its session still has calls for a worker, the harness queues them again.
            await store.Leases.MarkWorkAsync(after.SessionId, CancellationToken.None);
        }
        return Json(WorkWire.ToWire(after));
    }

    private static async Task<JsonHttpResult<WorkList>> ListAsync(string environmentId, HttpContext context, IHangarStore store)
    {
        var limit = QueryParameters.Limit(context.Request, 20, 100);
        var before = PageToken.Decode(context.Request, ListName + environmentId);
        var page = await store.Work.ListAsync(environmentId, limit, before, context.RequestAborted);
        var next = page.HasMore ? PageToken.Encode(ListName + environmentId, page.Items[^1].Id) : null;
        return TypedResults.Json(new WorkList([.. page.Items.Select(i => WorkWire.ToWire(i))], next), WorkJsonContext.Default.WorkList);
    }

    private static async Task<JsonHttpResult<Contracts.Work.WorkQueueStats>> StatsAsync(
        string environmentId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        await EnvironmentAsync(context, store, environmentId);
        var stats = await store.Work.StatsAsync(environmentId, Now(time) - PollerWindow, context.RequestAborted);
        return TypedResults.Json(
            new Contracts.Work.WorkQueueStats(stats.Depth, stats.Pending, stats.OldestQueuedAt, stats.WorkersPolling),
            WorkJsonContext.Default.WorkQueueStats);
    }

    private static async Task<JsonHttpResult<WorkItem>> GetAsync(string environmentId, string workId, HttpContext context, IHangarStore store)
    {
        await EnvironmentAsync(context, store, environmentId);
        var item = await store.Work.GetAsync(environmentId, workId, context.RequestAborted) ?? throw NotFound(workId);
        return Json(WorkWire.ToWire(item));
    }

    private static async Task<JsonHttpResult<WorkItem>> UpdateAsync(string environmentId, string workId, HttpContext context, IHangarStore store)
    {
        await EnvironmentAsync(context, store, environmentId);
        var request = WorkUpdateRequest.Parse(await ReadOptionalBodyAsync(context));
        var item = await store.Work.UpdateMetadataAsync(environmentId, workId, current =>
            JsonSerializer.Serialize(
                request.ApplyTo(JsonSerializer.Deserialize(current, WorkJsonContext.Default.DictionaryStringString) ?? []),
                WorkJsonContext.Default.DictionaryStringString), context.RequestAborted)
            ?? throw NotFound(workId);
        return Json(WorkWire.ToWire(item));
    }

    /// <summary>API-key routes: the environment must be the caller workspace's (else 404, like any resource).</summary>
    private static Task<ResourceRecord> EnvironmentAsync(HttpContext context, IHangarStore store, string environmentId) =>
        ResourceLookup.GetAsync(store, ResourceKind.Environment, ApiKeyAuthentication.WorkspaceOf(context), environmentId, context.RequestAborted);

    /// <summary>No body (or only whitespace) is null; anything else goes through the same limit and checks as other JSON bodies.</summary>
    private static async Task<JsonNode?> ReadOptionalBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength == 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return null;
        }
        var bytes = await JsonBody.ReadBytesAsync(context);
        return bytes.Span.Trim(" \t\r\n"u8).IsEmpty ? null : JsonNode.Parse(bytes.Span);
    }

    /// <summary>Whole milliseconds: a heartbeat's time is echoed back as the wire timestamp and compared exactly.</summary>
    private static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static JsonHttpResult<WorkItem> Json(WorkItem item) => TypedResults.Json(item, WorkJsonContext.Default.Work);

    private static NotFoundException NotFound(string workId) => new($"No work item with id '{workId}' exists in this environment.");
}
