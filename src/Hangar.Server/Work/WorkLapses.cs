using Hangar.Storage;

namespace Hangar.Server.Work;

/// <summary>
/// A <c>stopping</c> item waits for its worker to confirm; if the worker dies instead, its lease
/// lapses and the item becomes <c>stopped</c> (behaviour.md "Self-hosted": a stopping item is not
/// handed out again). Settled lazily, before any work route of the environment answers and when
/// such an item's sessions token is used, so no background sweep and no clock of its own.
/// </summary>
public static class WorkLapses
{
    public static async Task SettleAsync(IHangarStore store, string environmentId, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var item in await store.Work.StopLapsedAsync(environmentId, now, ct))
        {
            // The residency ended: if its session still has calls for a worker, the harness queues them again.
            await store.Leases.MarkWorkAsync(item.SessionId, CancellationToken.None);
        }
    }

    /// <summary>A stopping item whose lease has lapsed: its token and its lease are over.</summary>
    public static bool HasLapsed(WorkItemRecord item, DateTimeOffset now) =>
        item is { State: WorkStates.Stopping, LeaseExpiresAt: { } until } && until <= now;

    /// <summary>Settles the environment before each of its work routes runs.</summary>
    public static RouteGroupBuilder SettlingLapsedStops(this RouteGroupBuilder work)
    {
        work.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            if (context.Request.RouteValues["environmentId"] is string environmentId)
            {
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                await SettleAsync(context.RequestServices.GetRequiredService<IHangarStore>(), environmentId, time.GetUtcNow(), context.RequestAborted);
            }
            return await next(invocation);
        });
        return work;
    }
}
