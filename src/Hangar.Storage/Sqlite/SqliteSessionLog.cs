using Hangar.Storage.Sql;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// SQLite has one writer at a time, so positions are assigned in commit order and the feed is
/// simply "position greater than the cursor".
/// </summary>
internal sealed class SqliteSessionLog(SqliteDatabase db, LocalEventNotifications notifications) : SqlSessionLog(db)
{
    public override async Task<IReadOnlyList<EventRecord>> AppendAsync(
        string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var stored = await Db.WriteAsync(scope => AppendInScopeAsync(scope, workspaceId, sessionId, events, ct), ct);
        notifications.Publish(sessionId);
        return stored;
    }

    internal override async Task<IReadOnlyList<EventRecord>> AppendInScopeAsync(
        WriteScope scope, string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct, bool sessionLocked = false)
    {
        if (!sessionLocked && !await SessionExistsAsync(scope, workspaceId, sessionId, "", ct))
        {
            throw new KeyNotFoundException($"Session {sessionId} does not exist.");
        }
        await using var last = scope.Command("SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = @session");
        var lastSeq = await last.With("@session", sessionId).ScalarInt64Async(ct);
        return await InsertAsync(scope, sessionId, lastSeq, events, ct);
    }

    public override async Task<FeedPage> ReadFeedAsync(FeedCursor after, int limit, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {EventColumns} FROM session_events WHERE position > @after ORDER BY position LIMIT @limit");
        select.With("@after", after.Position).With("@limit", limit);
        var events = await ReadEventsAsync(select, ct);
        return new FeedPage(events, events.Count == 0 ? after : new FeedCursor(0, events[^1].Position));
    }
}
