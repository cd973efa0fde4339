using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>GET /v1/sessions/{id}/events/stream</c> (§4): every event appended after the client
/// connected, exactly once and in log order, then <c>session.deleted</c> ends it. With a
/// <c>Last-Event-ID</c> header (an extension) the stream resumes after that event instead. With
/// <c>event_deltas[]</c>, live previews of what the model is writing too (<see cref="SessionPreviews"/>).
/// </summary>
public static class SessionStream
{
    /// <summary>Events read from the log per round trip: bounds a subscriber's memory.</summary>
    private const int BatchSize = 100;
    private const int MaxDeltaTypes = 100;
    private static readonly TimeSpan GapRetry = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan TransientRetryBase = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan TransientRetryMax = TimeSpan.FromSeconds(5);

    public static async Task StreamAsync(string id, HttpContext context, IHangarStore store, HangarServerOptions options, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var previewTypes = EventDeltas(context.Request);
        var session = await SessionRepository.GetAsync(store, workspaceId, id, ct);
        // Held until the stream ends; a full session or key is told 429 before the stream opens.
        using var slot = context.RequestServices.GetRequiredService<StreamSubscriberLimits>().Acquire(session.Id, ApiKeyAuthentication.KeyHashOf(context));
        // Subscribe before reading the starting position, so an event appended in between
        // both wakes this reader and lies after its position: nothing falls in the gap.
        using var subscription = store.Notifications.Subscribe(session.Id);
        using var previews = previewTypes.Count == 0 ? null : new SessionPreviews(store.Deltas, session.Id, previewTypes);
        var afterSeq = await StartPositionAsync(context.Request, store, session.Id, ct);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(ct);
        await response.Body.FlushAsync(ct);
        var writer = new SseWriter(response.Body);
        try
        {
            await FollowAsync(store, workspaceId, session.Id, subscription, previews, afterSeq, writer, options.StreamHeartbeat, time, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The client disconnected.
        }
    }

    /// <param name="previews">Null unless the client asked for <c>event_deltas</c>: then the same loop also
    /// writes preview frames, reading the log only when it grew or a preview starts.</param>
    private static async Task FollowAsync(
        IHangarStore store, string workspaceId, string sessionId, EventSubscription subscription, SessionPreviews? previews, long afterSeq,
        SseWriter writer, TimeSpan heartbeat, TimeProvider time, CancellationToken ct)
    {
        var woken = false;
        var readLog = true;
        var failures = 0;
        while (true)
        {
            try
            {
                // Frames taken before the read: the events they preview are logged after it, or in it.
                if (previews?.Take() == true)
                {
                    readLog = true;
                }
                if (!readLog)
                {
                    await previews!.WritePendingAsync(writer, ct);
                }
                else
                {
                    var batch = await store.Events.ReadAsync(sessionId, afterSeq, BatchSize, ct);
                    failures = 0;
                    foreach (var record in batch)
                    {
                        if (record.Seq != afterSeq + 1)
                        {
                            break; // A gap: an earlier append is not visible yet; re-read shortly.
                        }
                        if (previews is not null)
                        {
                            await previews.BeforeAsync(record.Type, record.Id, writer, ct);
                        }
                        await writer.WriteEventAsync(record.Type, record.Id, EventJson.ToWire(record), ct);
                        afterSeq = record.Seq;
                        if (record.Type == "session.deleted")
                        {
                            return;
                        }
                    }
                    if (batch.Count > 0 && batch[^1].Seq != afterSeq)
                    {
                        await Task.Delay(GapRetry, time, ct);
                        continue;
                    }
                    if (batch.Count == BatchSize)
                    {
                        continue; // More may be waiting.
                    }
                    if (previews is not null)
                    {
                        await previews.WritePendingAsync(writer, ct);
                    }
                    if (batch.Count == 0 && woken && await EndIfDeletedAsync(store, workspaceId, sessionId, writer, time, ct))
                    {
                        return;
                    }
                }
                bool alive;
                if (previews is null)
                {
                    alive = woken = await subscription.WaitAsync(heartbeat, ct);
                }
                else
                {
                    (alive, woken) = await previews.WaitAsync(subscription, heartbeat, time, ct);
                }
                readLog = woken || previews is null;
                if (!alive)
                {
                    if (await EndIfDeletedAsync(store, workspaceId, sessionId, writer, time, ct))
                    {
                        return;
                    }
                    await writer.WritePingAsync(ct);
                }
            }
            catch (Exception e) when (TransientFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                // The database is briefly away: the stream stays open and resumes from the same
                // position, so the client neither loses events nor sees them twice.
                readLog = true;
                await Task.Delay(Backoff.For(++failures, TransientRetryBase, TransientRetryMax), time, ct);
            }
        }
    }

    /// <summary>When the session row is gone (deleted, log and all), writes a session.deleted frame.</summary>
    private static async Task<bool> EndIfDeletedAsync(
        IHangarStore store, string workspaceId, string sessionId, SseWriter writer, TimeProvider time, CancellationToken ct)
    {
        if (await store.Resources.GetAsync(ResourceKind.Session, workspaceId, sessionId, ct) is not null)
        {
            return false;
        }
        var deleted = new JsonObject
        {
            ["type"] = "session.deleted",
            ["id"] = Ids.New(Ids.Event),
            ["processed_at"] = WireJson.Timestamp(time.GetUtcNow()),
        };
        await writer.WriteEventAsync("session.deleted", (string)deleted["id"]!, deleted, ct);
        return true;
    }

    /// <summary>The seq to stream after: the log's end, or the event named by <c>Last-Event-ID</c>.</summary>
    private static async Task<long> StartPositionAsync(HttpRequest request, IHangarStore store, string sessionId, CancellationToken ct)
    {
        var lastEventId = request.Headers["Last-Event-ID"].ToString().Trim();
        if (lastEventId.Length == 0)
        {
            return await store.Events.GetLastSeqAsync(sessionId, ct);
        }
        if (!Ids.IsWellFormed(lastEventId, Ids.Event))
        {
            throw new InvalidRequestException($"Last-Event-ID: '{lastEventId}' is not an event id (sevt_…).");
        }
        // The log has no index by event id; resuming is rare, so a paged scan is acceptable.
        long after = 0;
        while (true)
        {
            var page = await store.Events.ReadAsync(sessionId, after, 1000, ct);
            if (page.FirstOrDefault(e => e.Id == lastEventId) is { } found)
            {
                return found.Seq;
            }
            if (page.Count == 0)
            {
                throw new InvalidRequestException($"Last-Event-ID: the session has no event '{lastEventId}'.");
            }
            after = page[^1].Seq;
        }
    }

    /// <summary>The event types the client wants previews of (<c>event_deltas[]</c>); empty: none.</summary>
    private static IReadOnlySet<string> EventDeltas(HttpRequest request)
    {
        var deltas = QueryParameters.Array(request, "event_deltas") ?? [];
        if (deltas.Count > MaxDeltaTypes)
        {
            throw new InvalidRequestException($"event_deltas: at most {MaxDeltaTypes} values are allowed.");
        }
        if (deltas.FirstOrDefault(d => d is not ("agent.message" or "agent.thinking")) is { } bad)
        {
            throw new InvalidRequestException($"event_deltas: '{bad}' is not supported; expected agent.message or agent.thinking.");
        }
        return deltas.ToHashSet(StringComparer.Ordinal);
    }
}
