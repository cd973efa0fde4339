using Hangar.Harness.Log;
using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>
/// Every write of a running session: one fenced append (events + row + processed marks + work
/// flag in one transaction) that fails with <see cref="LeaseLostException"/> once another worker
/// has claimed the session. A passing store failure is retried here, in place, so a model
/// response or tool result already in hand is not lost to a database hiccup.
/// </summary>
public sealed class SessionWriter(ISessionLeases leases, SessionLease lease, SessionRow row, SessionLogReader reader, TimeProvider time, StoreRetry retry)
{
    public SessionRow Row => row;

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task WriteAsync(SessionWrite write, CancellationToken ct)
    {
        var (events, processed) = (write.Events, write.Processed);
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Write);
        var now = Now;
        row.Advance(write.Status, now);
        // Fixed before any retry: what this decision was based on, not what a retry's check reads.
        var seenThrough = reader.LastSeq;
        var failures = 0;
        while (true)
        {
            try
            {
                // The write may have committed before its connection broke: then it must not be
                // repeated. Its first event says so; a write without events is idempotent (row
                // fields are absolute, marks and the flag only ever set to the same values).
                if (failures == 0 || events.Count == 0 || !await reader.HasLandedAsync(events[0].Id, ct))
                {
                    // The write itself is not cancelled by an interrupt: half-applied steps would be worse
                    // than finishing a write that takes milliseconds. Losing the lease still stops it (fenced).
                    // The work flag is cleared only if nothing arrived beyond what this decision was based on,
                    // so a message sent while the session goes idle wakes it again.
                    await leases.AppendFencedAsync(lease, new FencedWrite(events)
                    {
                        UpdateSession = current => row.Apply(current, now),
                        ProcessedEventIds = processed,
                        WorkDone = write.WorkDone,
                        WorkSeenThroughSeq = seenThrough,
                    }, now, CancellationToken.None);
                }
                break;
            }
            catch (Exception e) when (TransientFailures.IsTransient(e))
            {
                // Waiting honours interrupts and lease loss: the runner then re-reads the log,
                // which shows whether this write landed.
                await retry.WaitAsync(e, ++failures, ct);
            }
        }
        if (processed is { Count: > 0 })
        {
            reader.MarkProcessed(processed, now);
        }
        ct.ThrowIfCancellationRequested();
    }
}
