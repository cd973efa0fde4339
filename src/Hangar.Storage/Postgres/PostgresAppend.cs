using System.Data.Common;
using Hangar.Storage.Sql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// An append as one command of two statements, sent together (issue 14); callers run it in an explicit
/// transaction (its COMMIT is the only other round trip). The first locks the session row (SELECT … FOR UPDATE), as appends always
/// did. The second: an UPDATE of the session row bumps its <c>event_head</c> and its <c>event_head_xact</c>, the
/// feed-order key its events are stored with — the greater of this transaction's id and the previous append's,
/// because transaction ids are assigned before the row lock is waited for and so need not follow the lock's
/// order (migration 0008; the store-wide feed relies on it for each session's log order). The UPDATE
/// (taking the row lock that orders appends and, when given, checking the fence and
/// writing the row, the work flag and so on), a multi-row INSERT numbers the batch from the head it
/// returned, more data-modifying CTEs may follow, and the NOTIFY is queued for commit. No row
/// matched (session missing, fence lost, revision moved): nothing was written, and
/// <see cref="RunAsync"/> returns null.
/// </summary>
internal static class PostgresAppend
{
    /// <param name="setMore">More SET clauses of the row's UPDATE (", col = …"); old values are visible in them.</param>
    /// <param name="whereMore">More conditions on the row (" AND …").</param>
    /// <param name="moreCtes">More CTEs (", name AS (…)"); <c>head</c> is the row's CTE, empty when nothing matched.</param>
    public static string Sql(string setMore = "", string whereMore = "", string moreCtes = "") =>
        "SELECT 1 FROM resources WHERE kind = 'session' AND workspace_id = @ws AND id = @session" + whereMore + " FOR UPDATE; "
        + "WITH head AS (UPDATE resources SET event_head = event_head + @count, "
        + "event_head_xact = GREATEST(event_head_xact, pg_current_xact_id()::text::bigint)" + setMore
        + " WHERE kind = 'session' AND workspace_id = @ws AND id = @session" + whereMore
        + " RETURNING event_head - @count AS last, event_head_xact AS xact), "
        + "inserted AS (INSERT INTO session_events (session_id, seq, id, type, json, processed_at, xact_id) "
        + "SELECT @session, head.last + e.ord, e.id, e.type, e.json, e.processed_at, head.xact FROM head, "
        + "unnest(@ids::text[], @types::text[], @jsons::text[], @processed::timestamptz[]) WITH ORDINALITY AS e(id, type, json, processed_at, ord) "
        + "ORDER BY e.ord RETURNING seq, position)" + moreCtes
        + $" SELECT head.last, inserted.seq, inserted.position FROM head CROSS JOIN LATERAL (SELECT pg_notify('{PostgresSessionLog.Channel}', @session)) AS notified "
        + "LEFT JOIN inserted ON TRUE ORDER BY inserted.seq";

    /// <summary>Binds the session and the batch: @ws, @session, @count, @ids, @types, @jsons, @processed.</summary>
    public static DbCommand WithEvents(this DbCommand command, SqlDatabase db, string workspaceId, string sessionId, IReadOnlyList<NewEvent> events)
    {
        var processed = new DateTime?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            processed[i] = events[i].ProcessedAt is { } at ? (DateTime)db.Time(at) : null;
        }
        return command.With("@ws", workspaceId).With("@session", sessionId).With("@count", events.Count)
            .With("@ids", events.Select(e => e.Id).ToArray())
            .With("@types", events.Select(e => e.Type).ToArray())
            .With("@jsons", events.Select(e => e.Json).ToArray())
            .With("@processed", processed);
    }

    /// <summary>Runs the statement; the stored events, or null when no session row matched (nothing written).</summary>
    public static async Task<IReadOnlyList<EventRecord>?> RunAsync(DbCommand command, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var positions = new Dictionary<long, long>(events.Count);
        long? last = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct); // Past the lock's row.
            while (await reader.ReadAsync(ct))
            {
                last = reader.GetInt64(0);
                if (!reader.IsDBNull(1))
                {
                    positions[reader.GetInt64(1)] = reader.GetInt64(2);
                }
            }
        }
        if (last is not { } head)
        {
            return null;
        }
        var stored = new List<EventRecord>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var seq = head + i + 1;
            stored.Add(new EventRecord(sessionId, seq, events[i].Id, events[i].Type, events[i].Json,
                events[i].ProcessedAt is { } processed ? SqlDatabase.Truncate(processed) : null, positions[seq]));
        }
        return stored;
    }
}
