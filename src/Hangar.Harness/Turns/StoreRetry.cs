using Hangar.Harness.Workers;
using Hangar.Storage;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Turns;

/// <summary>
/// Waits out a passing store failure (<see cref="TransientFailures"/>) of one session's step:
/// logs it, then backs off (capped, with jitter) on the harness clock. The caller tries again
/// afterwards; it gives up only when the lease goes (the token), never by turning the failure
/// into a tool result or a <c>session.error</c>.
/// </summary>
public sealed class StoreRetry(HarnessOptions options, ILogger logger, string sessionId)
{
    /// <param name="failures">Consecutive failures so far, this one included (1-based).</param>
    public async Task WaitAsync(Exception error, int failures, CancellationToken ct)
    {
        var delay = Backoff.For(failures, options.StoreRetryBaseDelay, options.StoreRetryMaxDelay);
        var reason = TransientFailures.Describe(error);
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.StoreRetry, sessionId,
            HarnessTelemetry.Tag(HarnessTelemetry.FailuresTag, failures), HarnessTelemetry.Tag(HarnessTelemetry.ReasonTag, reason));
        HarnessLog.StoreUnavailable(logger, sessionId, reason, failures, delay.TotalMilliseconds);
        await Task.Delay(delay, options.Time, ct);
    }
}
