using System.Data.Common;
using System.Text;

namespace Hangar.Storage.Sql;

/// <summary>
/// The reading half of the session log, shared by both engines; appends and the store-wide
/// feed differ (SQLite has one writer, PostgreSQL many) and live in the engine folders.
/// </summary>
internal abstract class SqlSessionLog(SqlDatabase db) : ISessionLog
{
    protected const string EventColumns = "session_id, seq, id, type, json, processed_at, position";

    protected SqlDatabase Db => db;

    public abstract Task<IReadOnlyList<EventRecord>> AppendAsync(
        string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct);

    public abstract Task<FeedPage> ReadFeedAsync(FeedCursor after, int limit, CancellationToken ct);

    /// <summary>
    /// The append inside a caller's transaction (the leases combine it with other writes):
    /// checks the session, numbers and inserts the events, and asks for a cross-process wake-up
    /// on commit. Local readers are woken by the caller after commit. <paramref name="sessionLocked"/>:
    /// the caller already read (and, on PostgreSQL, locked) the session row in this transaction.
    /// </summary>
    internal abstract Task<IReadOnlyList<EventRecord>> AppendInScopeAsync(
        WriteScope scope, string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct, bool sessionLocked = false);

    /// <summary>Wakes the <paramref name="channel"/> subscribers of other processes when the transaction commits (a no-op on SQLite).</summary>
    internal virtual Task NotifyOnCommitAsync(WriteScope scope, string channel, CancellationToken ct) => Task.CompletedTask;

    public async Task<IReadOnlyList<EventRecord>> ReadAsync(string sessionId, long afterSeq, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {EventColumns} FROM session_events WHERE session_id = @session AND seq > @after ORDER BY seq LIMIT @limit");
        select.With("@session", sessionId).With("@after", afterSeq).With("@limit", limit);
        return await ReadEventsAsync(select, ct);
    }

    public async Task<Page<EventRecord>> ListAsync(string sessionId, EventQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {EventColumns} FROM session_events WHERE session_id = @session");
        select.With("@session", sessionId);
        if (query.AfterSeq > 0)
        {
            sql.Append(" AND seq > @after");
            select.With("@after", query.AfterSeq);
        }
        if (query.BeforeSeq > 0)
        {
            sql.Append(" AND seq < @before");
            select.With("@before", query.BeforeSeq);
        }
        if (query.Types is { Count: > 0 } types)
        {
            sql.Append(" AND type IN ").Append(select.WithList("type", types));
        }
        AddTime(" AND processed_at > @processed_gt", "@processed_gt", query.ProcessedGt);
        AddTime(" AND processed_at >= @processed_gte", "@processed_gte", query.ProcessedGte);
        AddTime(" AND processed_at < @processed_lt", "@processed_lt", query.ProcessedLt);
        AddTime(" AND processed_at <= @processed_lte", "@processed_lte", query.ProcessedLte);
        sql.Append(query.Descending ? " ORDER BY seq DESC" : " ORDER BY seq ASC").Append(" LIMIT @limit");
        select.With("@limit", query.Limit + 1);
        select.CommandText = sql.ToString();

        var items = (List<EventRecord>)await ReadEventsAsync(select, ct);
        var hasMore = items.Count > query.Limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }
        return new Page<EventRecord>(items, hasMore);

        void AddTime(string clause, string name, DateTimeOffset? value)
        {
            if (value is { } time)
            {
                sql.Append(clause);
                select.With(name, db.Time(time));
            }
        }
    }

    public async Task<long> GetLastSeqAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command("SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = @session");
        return await select.With("@session", sessionId).ScalarInt64Async(ct);
    }

    public Task<bool> MarkProcessedAsync(string sessionId, string eventId, DateTimeOffset processedAt, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var update = scope.Command(
                "UPDATE session_events SET processed_at = @at WHERE session_id = @session AND id = @id AND processed_at IS NULL");
            return await update.With("@at", db.Time(processedAt)).With("@session", sessionId).With("@id", eventId)
                .ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    protected EventRecord ReadEvent(DbDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
        db.ReadNullableTime(reader, 5), reader.GetInt64(6));

    protected async Task<IReadOnlyList<EventRecord>> ReadEventsAsync(DbCommand select, CancellationToken ct)
    {
        var events = new List<EventRecord>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(ReadEvent(reader));
        }
        return events;
    }

    /// <summary>Checks, inside the append's transaction, that the session exists in the workspace.</summary>
    protected static async Task<bool> SessionExistsAsync(WriteScope scope, string workspaceId, string sessionId, string lockClause, CancellationToken ct)
    {
        await using var select = scope.Command(
            $"SELECT 1 FROM resources WHERE kind = 'session' AND workspace_id = @ws AND id = @session{lockClause}");
        return await select.With("@ws", workspaceId).With("@session", sessionId).ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Inserts the events after <paramref name="lastSeq"/>; the engine assigns positions.</summary>
    protected async Task<IReadOnlyList<EventRecord>> InsertAsync(
        WriteScope scope, string sessionId, long lastSeq, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        await using var insert = scope.Command(
            "INSERT INTO session_events (session_id, seq, id, type, json, processed_at) "
            + "VALUES (@session, @seq, @id, @type, @json, @processed_at) RETURNING position");
        insert.With("@session", sessionId);
        var seqParameter = Add("@seq");
        var idParameter = Add("@id");
        var typeParameter = Add("@type");
        var jsonParameter = Add("@json");
        var processedParameter = Add("@processed_at");
        var stored = new List<EventRecord>(events.Count);
        foreach (var item in events)
        {
            var seq = lastSeq + stored.Count + 1;
            seqParameter.Value = seq;
            idParameter.Value = item.Id;
            typeParameter.Value = item.Type;
            jsonParameter.Value = item.Json;
            processedParameter.Value = item.ProcessedAt is { } at ? db.Time(at) : DBNull.Value;
            var position = await insert.ScalarInt64Async(ct);
            stored.Add(new EventRecord(sessionId, seq, item.Id, item.Type, item.Json,
                item.ProcessedAt is { } processed ? SqlDatabase.Truncate(processed) : null, position));
        }
        return stored;

        DbParameter Add(string name)
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            insert.Parameters.Add(parameter);
            return parameter;
        }
    }
}
