namespace Hangar.Storage.Sql;

/// <summary>The fenced write: everything the harness records, refused once a newer claim exists.</summary>
internal abstract partial class SqlSessionLeases
{
    /// <remarks>
    /// The fence is the epoch (and owner), not the expiry: a lease that expired but that nobody
    /// claimed since may still write, because no other worker can have acted on the session; the
    /// moment another worker claims it, the epoch moves on and this write is refused.
    /// </remarks>
    public virtual async Task<IReadOnlyList<EventRecord>> AppendFencedAsync(SessionLease lease, FencedWrite write, DateTimeOffset now, CancellationToken ct)
    {
        var (events, updateSession, processedEventIds) = (write.Events, write.UpdateSession, write.ProcessedEventIds);
        var stored = await db.WriteAsync(async scope =>
        {
            // Locks the row (PostgreSQL) so no claim can slip in between the check and the commit.
            var current = await ReadHeldSessionAsync(scope, lease, ct) ?? throw new LeaseLostException(lease.SessionId, lease.Epoch);
            var inserted = await log.AppendInScopeAsync(scope, lease.WorkspaceId, lease.SessionId, events, ct, sessionLocked: true);
            if (updateSession is not null && !await resources.ReplaceAsync(scope, updateSession(current), current.Revision, ct))
            {
                throw new InvalidOperationException($"Session {lease.SessionId} changed under its lock.");
            }
            if (processedEventIds is { Count: > 0 })
            {
                await using var processed = scope.Command("");
                processed.CommandText = "UPDATE session_events SET processed_at = @at WHERE session_id = @session "
                    + "AND processed_at IS NULL AND id IN " + processed.WithList("event", processedEventIds);
                await processed.With("@at", db.Time(now)).With("@session", lease.SessionId).ExecuteNonQueryAsync(ct);
            }
            if (write.WorkDone && await LastSeqBeforeAsync(scope, lease.SessionId, inserted, ct) <= write.WorkSeenThroughSeq)
            {
                await using var done = scope.Command(
                    "UPDATE resources SET has_work = FALSE, work_since = NULL WHERE kind = 'session' AND id = @session");
                await done.With("@session", lease.SessionId).ExecuteNonQueryAsync(ct);
            }
            return inserted;
        }, ct);
        notifications.Publish(lease.SessionId);
        return stored;
    }

    /// <summary>The session's last seq before this write's own events: what the writer may not have seen.</summary>
    private static async Task<long> LastSeqBeforeAsync(WriteScope scope, string sessionId, IReadOnlyList<EventRecord> inserted, CancellationToken ct)
    {
        if (inserted.Count > 0)
        {
            return inserted[0].Seq - 1;
        }
        await using var max = scope.Command("SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = @session");
        return Convert.ToInt64(await max.With("@session", sessionId).ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The session row when the lease is still held at its epoch; null when lost or the session is gone.</summary>
    private async Task<ResourceRecord?> ReadHeldSessionAsync(WriteScope scope, SessionLease lease, CancellationToken ct)
    {
        await using var select = scope.Command(
            $"SELECT {ResourceRows.Columns} FROM resources WHERE kind = 'session' AND workspace_id = @ws AND id = @session "
            + $"AND lease_epoch = @epoch AND lease_owner = @owner{LockClause}");
        select.With("@ws", lease.WorkspaceId).With("@session", lease.SessionId).With("@epoch", lease.Epoch).With("@owner", lease.Owner);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ResourceRows.Read(db, reader) : null;
    }
}
