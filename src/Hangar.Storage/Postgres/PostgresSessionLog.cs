using Hangar.Storage.Sql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Appends lock the session row, so each session's seqs are dense and commit in order. The
/// store-wide feed follows transaction ids up to the snapshot's xmin (the high-water mark below
/// which no transaction can still commit), so events committed out of order are not skipped.
/// </summary>
internal sealed class PostgresSessionLog(PostgresDatabase db, LocalEventNotifications notifications) : SqlSessionLog(db)
{
    public const string Channel = "hangar_events";

    /// <summary>Test hook: runs inside an append's transaction just before commit.</summary>
    internal Func<string, CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>
    /// The append as it was before issue 14 (row lock, MAX(seq), one INSERT per event, NOTIFY, each a
    /// round trip, in a transaction), kept only so the benchmark can compare both in one run. It does
    /// not maintain event_head: a store appending this way must never share a session with one that does not.
    /// </summary>
    internal bool RoundTripPerStatement { get; set; }

    /// <remarks>
    /// One command (<see cref="PostgresAppend"/>) in an explicit transaction: the BEGIN travels with it and
    /// the COMMIT is the second round trip. Without the explicit transaction, the row lock of the first
    /// statement did not hold through the second (appends to one session then reached the feed out of order).
    /// </remarks>
    public override async Task<IReadOnlyList<EventRecord>> AppendAsync(
        string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        IReadOnlyList<EventRecord> stored;
        if (BeforeCommit is null && !RoundTripPerStatement)
        {
            stored = await Db.WriteAsync(scope => AppendInScopeAsync(scope, workspaceId, sessionId, events, ct), ct);
        }
        else
        {
            stored = await Db.WriteAsync(async scope =>
            {
                var inserted = await AppendInScopeAsync(scope, workspaceId, sessionId, events, ct);
                if (BeforeCommit is { } hook)
                {
                    await hook(sessionId, ct);
                }
                return inserted;
            }, ct);
        }
        notifications.Publish(sessionId);
        return stored;
    }

    internal override async Task<IReadOnlyList<EventRecord>> AppendInScopeAsync(
        WriteScope scope, string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct, bool sessionLocked = false)
    {
        if (RoundTripPerStatement)
        {
            return await AppendPerStatementAsync(scope, workspaceId, sessionId, events, ct, sessionLocked);
        }
        await using var append = scope.Command(PostgresAppend.Sql());
        return await PostgresAppend.RunAsync(append.WithEvents(Db, workspaceId, sessionId, events), sessionId, events, ct)
            ?? throw new KeyNotFoundException($"Session {sessionId} does not exist.");
    }

    private async Task<IReadOnlyList<EventRecord>> AppendPerStatementAsync(
        WriteScope scope, string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct, bool sessionLocked)
    {
        if (!sessionLocked && !await SessionExistsAsync(scope, workspaceId, sessionId, " FOR UPDATE", ct))
        {
            throw new KeyNotFoundException($"Session {sessionId} does not exist.");
        }
        await using var last = scope.Command("SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = @session");
        var lastSeq = await last.With("@session", sessionId).ScalarInt64Async(ct);
        var inserted = await InsertAsync(scope, sessionId, lastSeq, events, ct);
        await NotifyOnCommitAsync(scope, sessionId, ct);
        return inserted;
    }

    /// <summary>NOTIFY is delivered on commit, to every process listening.</summary>
    internal override async Task NotifyOnCommitAsync(WriteScope scope, string channel, CancellationToken ct)
    {
        await using var notify = scope.Command($"SELECT pg_notify('{Channel}', @payload)");
        await notify.With("@payload", channel).ExecuteNonQueryAsync(ct);
    }

    public override async Task<FeedPage> ReadFeedAsync(FeedCursor after, int limit, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {EventColumns}, xact_id FROM session_events "
            + "WHERE (xact_id, position) > (@token, @position) "
            + "AND xact_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
            + "ORDER BY xact_id, position LIMIT @limit");
        select.With("@token", after.Token).With("@position", after.Position).With("@limit", limit);
        var events = new List<EventRecord>();
        var next = after;
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var item = ReadEvent(reader);
            events.Add(item);
            next = new FeedCursor(reader.GetInt64(7), item.Position);
        }
        return new FeedPage(events, next);
    }
}
