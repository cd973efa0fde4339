namespace Hangar.Storage.Sql;

/// <summary>The transitions a worker and an operator drive: ack, heartbeat, stop, metadata.</summary>
internal sealed partial class SqlWorkQueue
{
    public Task<WorkItemRecord?> AcknowledgeAsync(string environmentId, string workId, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            var item = await LockAsync(scope, environmentId, workId, ct);
            if (item is not { State: WorkStates.Queued, ClaimedAt: not null })
            {
                return item;
            }
            await using var update = scope.Command(
                $"UPDATE work_items SET state = 'starting', acknowledged_at = @now, lease_expires_at = @until WHERE id = @id RETURNING {Columns}");
            update.With("@now", db.Time(now)).With("@until", db.Time(now.AddSeconds(item.TtlSeconds))).With("@id", workId);
            return await ReadOneAsync(update, ct);
        }, ct);

    public Task<HeartbeatOutcome> HeartbeatAsync(
        string environmentId, string workId, DateTimeOffset? expectedLastHeartbeat, int? ttlSeconds, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            var item = await LockAsync(scope, environmentId, workId, ct);
            if (item is null)
            {
                return new HeartbeatOutcome(null, false, false);
            }
            if (item.State is WorkStates.Stopping or WorkStates.Stopped)
            {
                // Not checked once stopping: the worker is told to wind down whoever it is.
                return new HeartbeatOutcome(item, true, false);
            }
            var expected = expectedLastHeartbeat is { } e ? SqlDatabase.Truncate(e) : (DateTimeOffset?)null;
            if (item.ClaimedAt is null || item.LatestHeartbeatAt != expected)
            {
                return new HeartbeatOutcome(item, false, false);
            }
            var ttl = ttlSeconds ?? item.TtlSeconds;
            await using var update = scope.Command(
                "UPDATE work_items SET state = 'active', latest_heartbeat_at = @now, lease_expires_at = @until, ttl_seconds = @ttl, "
                + "acknowledged_at = COALESCE(acknowledged_at, @now), started_at = COALESCE(started_at, @now) "
                + $"WHERE id = @id RETURNING {Columns}");
            update.With("@now", db.Time(now)).With("@until", db.Time(now.AddSeconds(ttl))).With("@ttl", ttl).With("@id", workId);
            return new HeartbeatOutcome(await ReadOneAsync(update, ct), true, true);
        }, ct);

    public Task<(WorkItemRecord Before, WorkItemRecord After)?> StopAsync(
        string environmentId, string workId, bool force, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync<(WorkItemRecord, WorkItemRecord)?>(async scope =>
        {
            var item = await LockAsync(scope, environmentId, workId, ct);
            if (item is null)
            {
                return null;
            }
            if (item.State == WorkStates.Stopped)
            {
                return (item, item);
            }
            // Nobody to tell (never claimed), or told to skip the goodbye: stopped at once.
            var stopNow = force || item.ClaimedAt is null;
            await using var update = scope.Command(
                $"UPDATE work_items SET state = @state, stop_requested_at = COALESCE(stop_requested_at, @now), "
                + $"stopped_at = {(stopNow ? "@now" : "NULL")}, lease_expires_at = {(stopNow ? "NULL" : "COALESCE(lease_expires_at, @until)")} "
                + $"WHERE id = @id RETURNING {Columns}");
            update.With("@state", stopNow ? WorkStates.Stopped : WorkStates.Stopping).With("@now", db.Time(now))
                .With("@until", db.Time(now.AddSeconds(item.TtlSeconds))).With("@id", workId);
            return (item, (await ReadOneAsync(update, ct))!);
        }, ct);

    public Task<IReadOnlyList<WorkItemRecord>> StopLapsedAsync(string environmentId, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<WorkItemRecord>>(async scope =>
        {
            // stopped_at is when the lease lapsed: the moment nobody held the item any more.
            await using var update = scope.Command(
                "UPDATE work_items SET state = 'stopped', stopped_at = lease_expires_at, lease_expires_at = NULL "
                + "WHERE environment_id = @env AND state = 'stopping' AND lease_expires_at <= @now "
                + $"RETURNING {Columns}");
            return await ReadAllAsync(update.With("@env", environmentId).With("@now", db.Time(now)), ct);
        }, ct);

    public Task<WorkItemRecord?> UpdateMetadataAsync(string environmentId, string workId, Func<string, string> patch, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            var item = await LockAsync(scope, environmentId, workId, ct);
            if (item is null)
            {
                return null;
            }
            await using var update = scope.Command($"UPDATE work_items SET metadata = @metadata WHERE id = @id RETURNING {Columns}");
            return await ReadOneAsync(update.With("@metadata", patch(item.MetadataJson)).With("@id", workId), ct);
        }, ct);

    private async Task<WorkItemRecord?> LockAsync(WriteScope scope, string environmentId, string workId, CancellationToken ct)
    {
        await using var select = scope.Command($"SELECT {Columns} FROM work_items WHERE environment_id = @env AND id = @id{ForUpdate}");
        return await ReadOneAsync(select.With("@env", environmentId).With("@id", workId), ct);
    }
}
