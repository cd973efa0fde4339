using Hangar.Storage;

namespace Hangar.Harness.Log;

/// <summary>
/// The harness's view of one session's log, read in pages and extended incrementally. While a
/// worker holds the lease only clients append (user events), so reading on from the last seq is exact;
/// the same holds for a log kept from this process's previous lease (<see cref="SessionLogCache"/>).
/// </summary>
public sealed class SessionLogReader(ISessionLog log, string sessionId, IReadOnlyList<LoggedEvent>? alreadyRead = null)
{
    private const int PageSize = 500;
    private readonly List<LoggedEvent> _events = alreadyRead is null ? [] : [.. alreadyRead];

    public IReadOnlyList<LoggedEvent> Events => _events;

    public long LastSeq => _events.Count == 0 ? 0 : _events[^1].Seq;

    /// <summary>Reads every event appended since the last call; returns how many arrived.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Read);
        var before = _events.Count;
        while (true)
        {
            var page = await log.ReadAsync(sessionId, LastSeq, PageSize, ct);
            foreach (var record in page)
            {
                if (record.Seq != LastSeq + 1)
                {
                    // A gap: an earlier append is not visible yet. Stop here; the next catch-up sees it.
                    return _events.Count - before;
                }
                _events.Add(LoggedEvent.From(record));
            }
            if (page.Count < PageSize)
            {
                return _events.Count - before;
            }
        }
    }

    /// <summary>
    /// Whether an event with this id is in the log beyond what was read, without reading it in:
    /// after a write whose outcome is unknown (the connection broke around the commit), this tells
    /// whether to write again. Only the harness appends its own events, so the id is proof.
    /// </summary>
    public async Task<bool> HasLandedAsync(string eventId, CancellationToken ct)
    {
        var after = LastSeq;
        while (true)
        {
            var page = await log.ReadAsync(sessionId, after, PageSize, ct);
            if (page.Any(e => e.Id == eventId))
            {
                return true;
            }
            if (page.Count < PageSize)
            {
                return false;
            }
            after = page[^1].Seq;
        }
    }

    /// <summary>Reflects a fenced write's <c>processed_at</c> marks in the events already read.</summary>
    public void MarkProcessed(IReadOnlyCollection<string> ids, DateTimeOffset at)
    {
        for (var i = 0; i < _events.Count; i++)
        {
            if (!_events[i].IsProcessed && ids.Contains(_events[i].Id))
            {
                _events[i] = _events[i] with { ProcessedAt = at };
            }
        }
    }
}
