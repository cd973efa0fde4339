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

    public async Task RunAsync(CancellationToken stop)
    {
        using var signals = store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await TryRunOneAsync(stop))
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

    /// <summary>Claims and runs one session; false when nothing was claimable.</summary>
    private async Task<bool> TryRunOneAsync(CancellationToken stop)
    {
        using var claim = HarnessTelemetry.Source.StartActivity(HarnessTelemetry.Claim);
        var candidates = await store.Leases.FindClaimableAsync(options.Concurrency * 2, stop);
        // Start at a random candidate so the workers of many processes don't all race for the first.
        var offset = candidates.Count == 0 ? 0 : Random.Shared.Next(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            var sessionId = candidates[(i + offset) % candidates.Count];
            if (await store.Leases.TryAcquireAsync(sessionId, options.Owner, options.LeaseTtl, stop) is { } lease)
            {
                claim?.SetTag(HarnessTelemetry.SessionTag, sessionId).Stop();
                await WakeAsync(lease, stop);
                return true;
            }
        }
        return false;
    }

    /// <summary>wake(sessionId): the only way into a session.</summary>
    private async Task WakeAsync(SessionLease lease, CancellationToken stop)
    {
        HarnessLog.Claimed(logger, lease.SessionId, lease.Epoch);
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Wake, lease.SessionId);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var renewal = RenewAsync(lease, held, renewing.Token);
        try
        {
            var step = await new TurnRunner(store, options, sandboxes, logs, logger).RunAsync(lease, held.Token);
            HarnessLog.Settled(logger, lease.SessionId, step?.GetType().Name ?? "deleted");
        }
        catch (LeaseLostException)
        {
            HarnessLog.LeaseLost(logger, lease.SessionId, lease.Epoch);
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            if (!stop.IsCancellationRequested)
            {
                HarnessLog.LeaseLost(logger, lease.SessionId, lease.Epoch);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HarnessLog.SessionFailed(logger, e, lease.SessionId);
            await sandboxes.ReleaseAsync(lease.SessionId);
            await Task.Delay(ErrorPause, options.Time, CancellationToken.None);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            try
            {
                await store.Leases.ReleaseAsync(lease, CancellationToken.None);
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
