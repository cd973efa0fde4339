using Hangar.Harness.Log;
using Hangar.Harness.Workers;
using Hangar.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Harness.Turns;

/// <summary>
/// wake(sessionId): runs one claimed session step by step — read the log, decide, do, write —
/// until it waits on its client. Holds nothing that must survive: a worker that dies mid-step
/// leaves a log from which the next one continues. Interrupts cancel the current step.
/// </summary>
public sealed class TurnRunner(IHangarStore store, HarnessOptions options, SandboxCache sandboxes, SessionLogCache logs, ILogger? logger = null)
{
    private readonly SessionOutputs _outputs = new(store, options.OutputLimits, options.Time, logger ?? NullLogger.Instance);
    private int _storeFailures;

    /// <summary>
    /// Runs until the session idles or waits. Throws <see cref="LeaseLostException"/> or <see cref="OperationCanceledException"/> when the lease goes.
    /// A passing store failure (<see cref="TransientFailures"/>) never ends the turn: writes retry in place
    /// (<see cref="SessionWriter"/>), and any other step that meets one starts over from the log — what a
    /// new worker would do after a crash, but keeping the lease and the sandbox — after a capped backoff.
    /// </summary>
    /// <returns>The last step taken (final), or null when the session no longer exists.</returns>
    public async Task<SessionStep?> RunAsync(SessionLease lease, CancellationToken leaseToken)
    {
        var retry = new StoreRetry(options, logger ?? NullLogger.Instance, lease.SessionId);
        while (true)
        {
            try
            {
                return await RunFromLogAsync(lease, retry, leaseToken);
            }
            catch (Exception e) when (TransientFailures.IsTransient(e) && !leaseToken.IsCancellationRequested)
            {
                await retry.WaitAsync(e, ++_storeFailures, leaseToken);
            }
        }
    }

    private async Task<SessionStep?> RunFromLogAsync(SessionLease lease, StoreRetry retry, CancellationToken leaseToken)
    {
        var record = await store.Resources.GetAsync(ResourceKind.Session, lease.WorkspaceId, lease.SessionId, leaseToken);
        if (record is null)
        {
            return null;
        }
        var reader = new SessionLogReader(store.Events, lease.SessionId, logs.Take(lease));
        await reader.CatchUpAsync(leaseToken);
        var row = new SessionRow(record, LogState.Of(reader.Events).InTurn, options.Time.GetUtcNow());
        var writer = new SessionWriter(store.Leases, lease, row, reader, options.Time, retry);
        var selfHosted = await SelfHostedSession.IsAsync(store, lease.WorkspaceId, row.EnvironmentId, leaseToken);
        var steps = new StepExecutor(store, options, writer, sandboxes, lease, selfHosted, logger);
        using var watch = new InterruptWatch(store, lease.SessionId, reader.LastSeq);
        while (true)
        {
            watch.Reset();
            await reader.CatchUpAsync(leaseToken);
            var state = LogState.Of(reader.Events);
            var step = SessionStep.Decide(state, row.Ended, options.MaxModelAttempts, selfHosted);
            using var stepToken = CancellationTokenSource.CreateLinkedTokenSource(leaseToken, watch.Token);
            using var activity = HarnessTelemetry.Start(HarnessTelemetry.Step, lease.SessionId, HarnessTelemetry.Tag(HarnessTelemetry.StepTag, step.GetType().Name));
            try
            {
                await steps.ExecuteAsync(step, reader.Events, state, stepToken.Token);
            }
            catch (OperationCanceledException) when (!leaseToken.IsCancellationRequested)
            {
                continue; // Interrupted: the next decision applies the interrupt.
            }
            _storeFailures = 0; // A step went through: the next failure starts the backoff afresh.
            if (step.IsFinal)
            {
                // Input that arrived during the final write keeps the session going right here.
                var arrived = await reader.CatchUpAsync(leaseToken);
                if (arrived == 0 || SessionStep.Decide(LogState.Of(reader.Events), row.Ended, options.MaxModelAttempts, selfHosted) is SessionStep.Settle)
                {
                    // The turn is over: what it left in /mnt/session/outputs becomes the session's Files.
                    await _outputs.CaptureAsync(lease, sandboxes.Current(lease), leaseToken);
                    if (step is SessionStep.Wait or SessionStep.AwaitWorker)
                    {
                        sandboxes.Keep(lease);
                    }
                    else
                    {
                        await sandboxes.ReleaseAsync(lease);
                    }
                    logs.Keep(lease, reader.Events);
                    return step;
                }
            }
        }
    }
}
