using System.Data.Common;

namespace Hangar.Storage.Sql;

/// <summary>
/// The work queue on both engines. Claims are one UPDATE whose target row is picked by a
/// sub-select (on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent pollers in many
/// processes pass over each other's rows instead of queueing on them); the other transitions
/// read the row (locked on PostgreSQL) and update it in the same transaction. SQLite runs all
/// writes one after another, so it needs neither.
/// </summary>
internal sealed partial class SqlWorkQueue(
    SqlDatabase db, SqlSessionLog log, LocalEventNotifications notifications, bool rowLocks) : IWorkQueue
{
    /// <summary>The lease of an acknowledged item that never heartbeats (the SDK assumes 90 s until told).</summary>
    public const int DefaultTtlSeconds = 90;

    private const string Columns =
        "id, workspace_id, environment_id, session_id, state, metadata, created_at, claimed_at, claimed_by, claimed_key_id, "
        + "acknowledged_at, started_at, latest_heartbeat_at, lease_expires_at, ttl_seconds, stop_requested_at, stopped_at";

    private string ForUpdate => rowLocks ? " FOR UPDATE" : "";

    /// <summary>The notification channel long-polls of one environment wait on.</summary>
    public static string Channel(string environmentId) => "*work*:" + environmentId;

    public EventSubscription Subscribe(string environmentId) => notifications.Subscribe(Channel(environmentId));

    public async Task<WorkItemRecord> EnqueueAsync(
        string workspaceId, string environmentId, string sessionId, DateTimeOffset now, CancellationToken ct)
    {
        var (item, added) = await db.WriteAsync(async scope =>
        {
            // The partial unique index on live items turns a second enqueue into a no-op.
            await using var insert = scope.Command(
                "INSERT INTO work_items (id, workspace_id, environment_id, session_id, state, metadata, created_at, ttl_seconds) "
                + "VALUES (@id, @ws, @env, @session, 'queued', '{}', @now, @ttl) ON CONFLICT DO NOTHING");
            var added = await insert.With("@id", Contracts.Ids.New("work_", now)).With("@ws", workspaceId).With("@env", environmentId)
                .With("@session", sessionId).With("@now", db.Time(now)).With("@ttl", DefaultTtlSeconds).ExecuteNonQueryAsync(ct) == 1;
            if (added)
            {
                await log.NotifyOnCommitAsync(scope, Channel(environmentId), ct);
            }
            await using var select = scope.Command(
                $"SELECT {Columns} FROM work_items WHERE session_id = @session AND state IN ('queued', 'starting', 'active')");
            return (await ReadOneAsync(select.With("@session", sessionId), ct)
                ?? throw new InvalidOperationException("The live work item vanished inside its own transaction."), added);
        }, ct);
        if (added)
        {
            notifications.Publish(Channel(environmentId));
        }
        return item;
    }

    public Task<WorkItemRecord?> ClaimAsync(WorkClaim claim, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var update = scope.Command(
                "UPDATE work_items SET state = 'queued', claimed_at = @now, claimed_by = @worker, claimed_key_id = @key, "
                + "token_hash = @token, acknowledged_at = NULL, started_at = NULL, latest_heartbeat_at = NULL, lease_expires_at = NULL "
                + "WHERE id = (SELECT id FROM work_items WHERE environment_id = @env AND state IN ('queued', 'starting', 'active') AND ("
                + "(state = 'queued' AND (claimed_at IS NULL OR claimed_at <= @reclaim)) "
                + "OR (state <> 'queued' AND lease_expires_at <= @now)) "
                + $"ORDER BY created_at, id LIMIT 1{(rowLocks ? " FOR UPDATE SKIP LOCKED" : "")}) "
                + $"RETURNING {Columns}");
            update.With("@now", db.Time(claim.Now)).With("@worker", claim.WorkerId).With("@key", claim.KeyId)
                .With("@token", claim.TokenHash).With("@env", claim.EnvironmentId)
                .With("@reclaim", db.Time(claim.Now - claim.ReclaimOlderThan));
            return await ReadOneAsync(update, ct);
        }, ct);

    public async Task<WorkItemRecord?> GetAsync(string environmentId, string workId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command($"SELECT {Columns} FROM work_items WHERE environment_id = @env AND id = @id");
        return await ReadOneAsync(select.With("@env", environmentId).With("@id", workId), ct);
    }

    public async Task<WorkItemRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {Columns} FROM work_items WHERE token_hash = @token AND state <> 'stopped'");
        return await ReadOneAsync(select.With("@token", tokenHash), ct);
    }

    public async Task<bool> HasClaimedAsync(string keyId, string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            "SELECT 1 FROM work_items WHERE claimed_key_id = @key AND session_id = @session AND state <> 'stopped' LIMIT 1");
        return await select.With("@key", keyId).With("@session", sessionId).ExecuteScalarAsync(ct) is not null;
    }

    public async Task<WorkItemRecord?> FindOpenForSessionAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {Columns} FROM work_items WHERE session_id = @session AND state <> 'stopped' ORDER BY id DESC LIMIT 1");
        return await ReadOneAsync(select.With("@session", sessionId), ct);
    }

    public async Task<Page<WorkItemRecord>> ListAsync(string environmentId, int limit, string? beforeId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {Columns} FROM work_items WHERE environment_id = @env"
            + (beforeId is null ? "" : " AND id < @before") + " ORDER BY id DESC LIMIT @limit");
        select.With("@env", environmentId).With("@limit", limit + 1);
        if (beforeId is not null)
        {
            select.With("@before", beforeId);
        }
        var items = await ReadAllAsync(select, ct);
        var more = items.Count > limit;
        return new Page<WorkItemRecord>(more ? items[..limit] : items, more);
    }

    public async Task<WorkQueueStats> StatsAsync(string environmentId, DateTimeOffset pollersSince, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            "SELECT "
            + "(SELECT COUNT(*) FROM work_items WHERE environment_id = @env AND state = 'queued' AND claimed_at IS NULL), "
            + "(SELECT COUNT(*) FROM work_items WHERE environment_id = @env AND state = 'queued' AND claimed_at IS NOT NULL), "
            + "(SELECT MIN(created_at) FROM work_items WHERE environment_id = @env AND state = 'queued'), "
            + "(SELECT COUNT(*) FROM work_pollers WHERE environment_id = @env AND last_poll_at >= @since)");
        select.With("@env", environmentId).With("@since", db.Time(pollersSince));
        await using var reader = await select.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new WorkQueueStats(
            Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
            db.ReadNullableTime(reader, 2),
            Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task RecordPollAsync(string environmentId, string workerId, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var upsert = scope.Command(
                "INSERT INTO work_pollers (environment_id, worker_id, last_poll_at) VALUES (@env, @worker, @now) "
                + "ON CONFLICT (environment_id, worker_id) DO UPDATE SET last_poll_at = excluded.last_poll_at");
            return await upsert.With("@env", environmentId).With("@worker", workerId).With("@now", db.Time(now)).ExecuteNonQueryAsync(ct);
        }, ct);

    private async Task<WorkItemRecord?> ReadOneAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private async Task<List<WorkItemRecord>> ReadAllAsync(DbCommand command, CancellationToken ct)
    {
        var items = new List<WorkItemRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(Read(reader));
        }
        return items;
    }

    private WorkItemRecord Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        db.ReadTime(r, 6), db.ReadNullableTime(r, 7), r.GetNullableString(8), r.GetNullableString(9),
        db.ReadNullableTime(r, 10), db.ReadNullableTime(r, 11), db.ReadNullableTime(r, 12), db.ReadNullableTime(r, 13),
        Convert.ToInt32(r.GetValue(14), System.Globalization.CultureInfo.InvariantCulture),
        db.ReadNullableTime(r, 15), db.ReadNullableTime(r, 16));
}
