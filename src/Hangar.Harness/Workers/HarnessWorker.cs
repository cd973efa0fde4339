using Hangar.Harness.Log;
using Hangar.Harness.Turns;
using Hangar.Storage;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Workers;

/// <summary>
/// One worker: waits for a work signal (or the poll interval), claims a session whose lease is
/// free, runs it until it idles or waits, releases it, repeats. While it runs a session it renews
/// the lease every ttl/3; a failed renewal cancels the session's work at once.
/// </summary>
public sealed class HarnessWorker(IHangarStore store, HarnessOptions options, SandboxCache sandboxes, SessionLogCache logs, ILogger logger)
{
    private static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs this worker in one of the pool's <paramref name="slots"/>: a <see cref="SlotKind.Concurrency"/>
    /// slot claims any session (interrupted ones first), a <see cref="SlotKind.Headroom"/> slot only
    /// interrupted ones, so a full process still takes over a dead peer's sessions.
    /// </summary>
    public async Task RunAsync(WorkerSlots slots, SlotKind kind, CancellationToken stop)
    {
        if (kind == SlotKind.Headroom)
        {
            await RunHeadroomAsync(slots, stop);
            return;
        }
        using var signals = store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await TryRunOneAsync(slots, stop))
                {
                    await signals.WaitAsync(options.PollInterval, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                HarnessLog.LoopFailed(logger, e);
                await Task.Delay(ErrorPause, options.Time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// A headroom slot: looks for interrupted sessions only, at every poll interval (a lease that
    /// expires, or whose owner's database session ends, writes nothing, so no signal announces it)
    /// and at every work signal (a draining peer's release sends one). Only the loop holding the
    /// pool's <see cref="WorkerSlots.TakeoverScan"/> looks.
    /// </summary>
    private async Task RunHeadroomAsync(WorkerSlots slots, CancellationToken stop)
    {
        using var signals = store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Claimed? claimed;
                await slots.TakeoverScan.WaitAsync(stop);
                try
                {
                    while ((claimed = await TryClaimAsync(SlotKind.Headroom, stop)) is null)
                    {
                        await signals.WaitAsync(options.PollInterval, stop);
                    }
                }
                finally
                {
                    slots.TakeoverScan.Release();
                }
                await RunClaimedAsync(slots, SlotKind.Headroom, claimed, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                HarnessLog.LoopFailed(logger, e);
                await Task.Delay(ErrorPause, options.Time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Claims and runs one session; false when nothing was claimable.</summary>
    private async Task<bool> TryRunOneAsync(WorkerSlots slots, CancellationToken stop)
    {
        if (await TryClaimAsync(SlotKind.Concurrency, stop) is not { } claimed)
        {
            return false;
        }
        await RunClaimedAsync(slots, SlotKind.Concurrency, claimed, stop);
        return true;
    }

    private sealed record Claimed(SessionLease Lease, bool Interrupted);

    /// <summary>Leases one claimable session (for a headroom slot: an interrupted one); null when none could be had.</summary>
    private async Task<Claimed?> TryClaimAsync(SlotKind kind, CancellationToken stop)
    {
        using var claim = HarnessTelemetry.Source.StartActivity(HarnessTelemetry.Claim);
        var takeoverOnly = kind == SlotKind.Headroom;
        var limit = Math.Max(1, takeoverOnly ? options.TakeoverHeadroom : options.Concurrency) * 2;
        var candidates = await store.Leases.FindClaimableAsync(limit, stop, interruptedOnly: takeoverOnly);
        // Interrupted sessions come first, and stay first: the random start (so the workers of many
        // processes don't all race for the same candidate) is taken within each of the two groups.
        var interrupted = candidates.TakeWhile(c => c.Interrupted).ToList();
        foreach (var group in new[] { interrupted, candidates.Skip(interrupted.Count).ToList() })
        {
            var offset = group.Count == 0 ? 0 : Random.Shared.Next(group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                var candidate = group[(i + offset) % group.Count];
                if (await store.Leases.TryAcquireAsync(candidate.SessionId, options.Owner, options.LeaseTtl, stop, interruptedOnly: takeoverOnly) is { } lease)
                {
                    claim?.SetTag(HarnessTelemetry.SessionTag, candidate.SessionId).Stop();
                    return new Claimed(lease, candidate.Interrupted);
                }
            }
        }
        return null;
    }

    /// <summary>Runs a claimed session in a slot of <paramref name="kind"/>, counted in the pool's slots while it runs.</summary>
    private async Task RunClaimedAsync(WorkerSlots slots, SlotKind kind, Claimed claimed, CancellationToken stop)
    {
        slots.Started(kind, claimed.Interrupted);
        try
        {
            await WakeAsync(claimed.Lease, stop);
        }
        finally
        {
            slots.Finished(kind);
        }
    }

    /// <summary>wake(sessionId): the only way into a session.</summary>
    private async Task WakeAsync(SessionLease lease, CancellationToken stop)
    {
        HarnessLog.Claimed(logger, lease.SessionId, lease.Epoch);
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Wake, lease.SessionId);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var renewal = RenewAsync(lease, held, renewing.Token);
        var settled = false;
        try
        {
            var step = await new TurnRunner(store, options, sandboxes, logs, logger).RunAsync(lease, held.Token);
            settled = true;
            HarnessLog.Settled(logger, lease.SessionId, step?.GetType().Name ?? "deleted");
        }
        catch (LeaseLostException)
        {
            HarnessLog.LeaseLost(logger, lease.SessionId, lease.Epoch);
            await sandboxes.ReleaseAsync(lease); // Only this lease's sandbox: its tools stop now.
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            if (!stop.IsCancellationRequested)
            {
                HarnessLog.LeaseLost(logger, lease.SessionId, lease.Epoch);
                await sandboxes.ReleaseAsync(lease);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HarnessLog.SessionFailed(logger, e, lease.SessionId);
            await sandboxes.ReleaseAsync(lease);
            await Task.Delay(ErrorPause, options.Time, CancellationToken.None);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            try
            {
                // Draining (the pool stops) mid-turn: handed back as interrupted, so a peer's headroom takes it at once.
                await store.Leases.ReleaseAsync(lease, CancellationToken.None, midTurn: !settled && stop.IsCancellationRequested);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                HarnessLog.LoopFailed(logger, e); // It expires by itself.
            }
        }
    }

    private async Task RenewAsync(SessionLease lease, CancellationTokenSource held, CancellationToken ct)
    {
        var period = options.LeaseTtl / 3;
        var expires = options.Time.GetUtcNow() + options.LeaseTtl;
        try
        {
            while (true)
            {
                await Task.Delay(period, options.Time, ct);
                bool renewed;
                try
                {
                    renewed = await store.Leases.RenewAsync(lease, options.LeaseTtl, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A database hiccup: keep trying while the lease may still be ours.
                    renewed = options.Time.GetUtcNow() < expires;
                    if (!renewed)
                    {
                        HarnessLog.LoopFailed(logger, e);
                    }
                    else
                    {
                        continue;
                    }
                }
                if (!renewed)
                {
                    await held.CancelAsync();
                    return;
                }
                expires = options.Time.GetUtcNow() + options.LeaseTtl;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
