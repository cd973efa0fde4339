using System.Data.Common;

namespace Hangar.Storage.Sql;

/// <summary>
/// Leases and the work flag, shared by both engines. They live on the session's resources row
/// (lease_owner, lease_epoch, lease_expires_at, has_work, work_since), so deleting the session
/// deletes them and the appends' row lock also orders lease changes. Every claim is one
/// conditional UPDATE, so of many concurrent claimers exactly one matches the free lease.
/// The engines differ only in the clock expiry is measured by and in row locking.
/// </summary>
internal abstract partial class SqlSessionLeases(
    SqlDatabase db, SqlSessionLog log, SqlResourceStore resources, LocalEventNotifications notifications) : ISessionLeases
{
    /// <summary>An SQL expression for the current time of the lease clock (binding parameters as needed).</summary>
    protected abstract string Now(DbCommand command);

    /// <summary>An SQL expression for the lease clock's current time plus <paramref name="ttl"/>.</summary>
    protected abstract string NowPlus(DbCommand command, TimeSpan ttl);

    /// <summary>Appended to the SELECT that reads a session row the write then changes (" FOR UPDATE" or "").</summary>
    protected abstract string LockClause { get; }

    /// <summary>
    /// An SQL condition true when the lease's owner is known to be dead whatever its expiry says
    /// (PostgreSQL: its presence lock is gone with its database session), or null when the engine
    /// cannot tell (SQLite: one process, the TTL alone decides).
    /// </summary>
    protected virtual string? OwnerGone(DbCommand command) => null;

    /// <summary>SET clauses (", col = …") a claim or renewal adds to record how to tell the claimer is alive.</summary>
    protected virtual string StampPresence(DbCommand command) => "";

    public Task<SessionLease?> TryAcquireAsync(string sessionId, string owner, TimeSpan ttl, CancellationToken ct, bool interruptedOnly = false) =>
        db.WriteAsync(async scope =>
        {
            await using var claim = scope.Command("");
            claim.CommandText =
                $"UPDATE resources SET lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at = {NowPlus(claim, ttl)}{StampPresence(claim)} "
                + $"WHERE kind = 'session' AND id = @session AND {Free(claim, interruptedOnly)} "
                + "RETURNING workspace_id, lease_epoch, lease_expires_at";
            claim.With("@owner", owner).With("@session", sessionId);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new SessionLease(reader.GetString(0), sessionId, owner, reader.GetInt64(1), db.ReadTime(reader, 2))
                : null;
        }, ct);

    public Task<bool> RenewAsync(SessionLease lease, TimeSpan ttl, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            // The epoch is the fence: an expired lease nobody claimed since is still ours to extend.
            await using var renew = scope.Command("");
            renew.CommandText = $"UPDATE resources SET lease_expires_at = {NowPlus(renew, ttl)}{StampPresence(renew)} "
                + "WHERE kind = 'session' AND id = @session AND lease_epoch = @epoch AND lease_owner = @owner";
            renew.With("@session", lease.SessionId).With("@epoch", lease.Epoch).With("@owner", lease.Owner);
            return await renew.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task ReleaseAsync(SessionLease lease, CancellationToken ct, bool midTurn = false)
    {
        var workLeft = await db.WriteAsync(async scope =>
        {
            // Released: NULL, not "now", free at once for any claimer whatever its clock reads. Mid-turn:
            // expired now, which FindClaimableAsync reports as interrupted (claimed first, headroom too).
            await using var release = scope.Command("");
            release.CommandText = $"UPDATE resources SET lease_expires_at = {(midTurn ? Now(release) : "NULL")} "
                + "WHERE kind = 'session' AND id = @session AND lease_epoch = @epoch AND lease_owner = @owner RETURNING has_work";
            release.With("@session", lease.SessionId).With("@epoch", lease.Epoch).With("@owner", lease.Owner);
            var hasWork = await release.ExecuteScalarAsync(ct) is { } flag && Convert.ToBoolean(flag, System.Globalization.CultureInfo.InvariantCulture);
            if (hasWork)
            {
                await log.NotifyOnCommitAsync(scope, LocalEventNotifications.WorkChannel, ct);
            }
            return hasWork;
        }, ct);
        Released(lease);
        if (workLeft)
        {
            notifications.Publish(LocalEventNotifications.WorkChannel);
        }
    }

    /// <summary>Called after <see cref="ReleaseAsync"/>: drop what was kept for the lease.</summary>
    protected virtual void Released(SessionLease lease)
    {
    }

    /// <remarks>
    /// The partial index on (work_since, id) WHERE has_work narrows the scan to sessions with work
    /// (running or waiting), and the interrupted-first order is a sort of those. No index covers
    /// lease_expires_at on purpose: every running session's renewal rewrites it every ttl/3, and an
    /// indexed (or index-predicate) column would make each of those updates a non-HOT update on
    /// PostgreSQL that touches every index of resources, to speed up a query over a small set.
    /// </remarks>
    public async Task<IReadOnlyList<ClaimableSession>> FindClaimableAsync(int limit, CancellationToken ct, bool interruptedOnly = false)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT id, CASE WHEN lease_expires_at IS NULL THEN 0 ELSE 1 END AS interrupted "
            + $"FROM resources WHERE has_work = TRUE AND kind = 'session' AND {Free(select, interruptedOnly)} "
            + "ORDER BY interrupted DESC, work_since, id LIMIT @limit";
        select.With("@limit", limit);
        var found = new List<ClaimableSession>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found.Add(new ClaimableSession(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) == 1));
        }
        return found;
    }

    /// <summary>
    /// The condition for a lease anyone may claim: released (NULL), expired, or held by an owner known
    /// to be dead. Only the latter two are an interrupted turn; ReleaseAsync sets NULL, so a non-NULL
    /// expiry that lapsed (or outlived its owner) was never given up.
    /// </summary>
    private string Free(DbCommand command, bool interruptedOnly)
    {
        var lapsed = $"lease_expires_at <= {Now(command)}";
        if (OwnerGone(command) is { } gone)
        {
            lapsed = $"({lapsed} OR {gone})";
        }
        return interruptedOnly ? $"(lease_expires_at IS NOT NULL AND {lapsed})" : $"(lease_expires_at IS NULL OR {lapsed})";
    }

    public async Task<IReadOnlyList<EventRecord>> AppendWithWorkAsync(
        string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var stored = await db.WriteAsync(async scope =>
        {
            var inserted = await log.AppendInScopeAsync(scope, workspaceId, sessionId, events, ct);
            await FlagWorkAsync(scope, sessionId, ct);
            return inserted;
        }, ct);
        notifications.Publish(sessionId);
        notifications.Publish(LocalEventNotifications.WorkChannel);
        return stored;
    }

    public async Task MarkWorkAsync(string sessionId, CancellationToken ct)
    {
        await db.WriteAsync(async scope =>
        {
            await FlagWorkAsync(scope, sessionId, ct);
            return true;
        }, ct);
        notifications.Publish(LocalEventNotifications.WorkChannel);
    }

    /// <summary>Sets the work flag (work_since keeps the oldest unfinished work) and wakes every process's workers on commit.</summary>
    private async Task FlagWorkAsync(WriteScope scope, string sessionId, CancellationToken ct)
    {
        await using var flag = scope.Command("");
        flag.CommandText = $"UPDATE resources SET has_work = TRUE, work_since = COALESCE(work_since, {Now(flag)}) "
            + "WHERE kind = 'session' AND id = @session";
        await flag.With("@session", sessionId).ExecuteNonQueryAsync(ct);
        await log.NotifyOnCommitAsync(scope, LocalEventNotifications.WorkChannel, ct);
    }
}
