namespace Hangar.Storage;

/// <summary>What one fenced write of the harness records in one transaction (<see cref="ISessionLeases.AppendFencedAsync"/>).</summary>
/// <param name="Events">Appended as <see cref="ISessionLog.AppendAsync"/> appends them.</param>
public sealed record FencedWrite(IReadOnlyList<NewEvent> Events)
{
    /// <summary>The session row's replacement, made from the current row (revision + 1); null keeps the row.</summary>
    public Func<ResourceRecord, ResourceRecord>? UpdateSession { get; init; }

    /// <summary>Events whose <c>processed_at</c> is set, where still null.</summary>
    public IReadOnlyList<string>? ProcessedEventIds { get; init; }

    /// <summary>
    /// Clears the session's work flag — but only if no event beyond <see cref="WorkSeenThroughSeq"/> was
    /// appended by anyone else, so a user message that arrives while the harness decides to go idle keeps the
    /// flag set and the session is woken again.
    /// </summary>
    public bool WorkDone { get; init; }

    /// <summary>The last seq the writer based its decision on, including its own appends.</summary>
    public long WorkSeenThroughSeq { get; init; } = long.MaxValue;
}
