using Hangar.Storage;

namespace Hangar.Harness.Log;

/// <summary>
/// The logs this process's workers read under their last lease of each session, so that waking a
/// session again reads only what was appended since instead of its whole history. Safe because
/// of the fence: events are immutable except for <c>processed_at</c>, which only a lease holder
/// sets, and every claim moves the epoch on by one; a log kept at epoch E is therefore exact at
/// the claim of epoch E + 1 (nobody else held the session in between) up to its last seq, and
/// anything else (another process claimed it meanwhile, a restart) reads the log from the start.
/// Bounded by the number of events held (parsed JSON: roughly a kilobyte each); the least recently
/// kept sessions are dropped first.
/// </summary>
public sealed class SessionLogCache(int maxEvents)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;
    private long _events;

    private sealed record Entry(long Epoch, IReadOnlyList<LoggedEvent> Events, long Kept);

    /// <summary>The events kept at the previous epoch, if this lease directly follows it; removes the entry either way.</summary>
    public IReadOnlyList<LoggedEvent>? Take(SessionLease lease)
    {
        lock (_gate)
        {
            if (!_entries.Remove(lease.SessionId, out var entry))
            {
                return null;
            }
            _events -= entry.Events.Count;
            return entry.Epoch == lease.Epoch - 1 ? entry.Events : null;
        }
    }

    /// <summary>Keeps the log as read and written under <paramref name="lease"/>, once its holder settled the session.</summary>
    public void Keep(SessionLease lease, IReadOnlyList<LoggedEvent> events)
    {
        if (events.Count > maxEvents)
        {
            return;
        }
        lock (_gate)
        {
            if (_entries.Remove(lease.SessionId, out var replaced))
            {
                _events -= replaced.Events.Count;
            }
            _entries[lease.SessionId] = new Entry(lease.Epoch, events, ++_clock);
            _events += events.Count;
            while (_events > maxEvents)
            {
                var oldest = _entries.MinBy(e => e.Value.Kept);
                _entries.Remove(oldest.Key);
                _events -= oldest.Value.Events.Count;
            }
        }
    }
}
