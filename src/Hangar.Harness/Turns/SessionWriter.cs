using Hangar.Harness.Log;
using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>
/// Every write of a running session: one fenced append (events + row + processed marks + work
/// flag in one transaction) that fails with <see cref="LeaseLostException"/> once another worker
/// has claimed the session.
/// </summary>
public sealed class SessionWriter(ISessionLeases leases, SessionLease lease, SessionRow row, SessionLogReader reader, TimeProvider time)
{
    public SessionRow Row => row;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <param name="events">Built with <see cref="Now"/> or shortly before.</param>
    /// <param name="status">The row's new status, or null to keep it.</param>
    public async Task WriteAsync(
        IReadOnlyList<NewEvent> events, string? status, IReadOnlyList<string>? processed, bool workDone, CancellationToken ct)
    {
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Write);
        var now = Now;
        row.Advance(status, now);
        // The write itself is not cancelled by an interrupt: half-applied steps would be worse
        // than finishing a write that takes milliseconds. Losing the lease still stops it (fenced).
        // The work flag is cleared only if nothing arrived beyond what this decision was based on,
        // so a message sent while the session goes idle wakes it again.
        await leases.AppendFencedAsync(
            lease, events, current => row.Apply(current, now), processed, workDone, now, CancellationToken.None, reader.LastSeq);
        if (processed is { Count: > 0 })
        {
            reader.MarkProcessed(processed, now);
        }
        ct.ThrowIfCancellationRequested();
    }
}
