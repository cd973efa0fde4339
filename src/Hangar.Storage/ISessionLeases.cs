namespace Hangar.Storage;

/// <summary>
/// A worker's claim on one session. <see cref="Epoch"/> grows with every successful claim of the
/// session (by anyone); fenced writes carry it and are refused once a newer claim exists, so a
/// paused or partitioned former owner can never write after losing the lease.
/// </summary>
public sealed record SessionLease(string WorkspaceId, string SessionId, string Owner, long Epoch, DateTimeOffset ExpiresAt);

/// <summary>
/// A session <see cref="ISessionLeases.FindClaimableAsync"/> found. <see cref="Interrupted"/>: its
/// lease expired without being released, so a worker died (or lost contact) in the middle of its
/// turn; otherwise nobody held it (new work, or work left after a clean release).
/// </summary>
public sealed record ClaimableSession(string SessionId, bool Interrupted);

/// <summary>A fenced write was refused: the lease expired and another worker claimed the session.</summary>
public sealed class LeaseLostException(string sessionId, long epoch)
    : Exception($"The lease on {sessionId} (epoch {epoch}) is no longer held; another worker owns the session.")
{
    public string SessionId { get; } = sessionId;
}

/// <summary>
/// Leases and the work queue of the harness. A session "has work" from the moment an event that
/// needs the harness is appended (<see cref="AppendWithWorkAsync"/>, one transaction) until a
/// fenced write clears it. Workers learn of new work from
/// <c>Notifications.Subscribe(LocalEventNotifications.WorkChannel)</c> (every process) and by polling
/// <see cref="FindClaimableAsync"/> (which also finds sessions whose owner died: expired lease, work flag still set).
/// A session whose owner died mid-turn is "interrupted": work flagged and a lease that expired
/// without being released (release sets <c>lease_expires_at</c> NULL, so a past, non-NULL expiry
/// means nobody gave it up). Interrupted sessions are claimed before new work: their users were
/// already mid-turn when the crash hit and should not wait behind turns that never started.
/// The store's clock decides expiry: PostgreSQL's own clock (clock_timestamp()), so workers on
/// different hosts agree; SQLite, which is single-host, the process clock. The fence is the
/// epoch, not the expiry: an expired lease that nobody has claimed since can still renew and
/// write. State lives on the session's row and is deleted with it.
/// </summary>
public interface ISessionLeases
{
    /// <summary>
    /// Claims the session when it has no lease or its lease expired (by the store's clock),
    /// incrementing the epoch. Returns null when another owner holds an unexpired lease or the
    /// session does not exist. With <paramref name="interruptedOnly"/> only an expired, unreleased
    /// lease is taken (also null when nobody holds it): a worker's takeover headroom must not be
    /// spent on new work that became free between <see cref="FindClaimableAsync"/> and this claim.
    /// </summary>
    Task<SessionLease?> TryAcquireAsync(string sessionId, string owner, TimeSpan ttl, CancellationToken ct, bool interruptedOnly = false);

    /// <summary>Extends the lease; false when it was lost (expired and claimed by another epoch).</summary>
    Task<bool> RenewAsync(SessionLease lease, TimeSpan ttl, CancellationToken ct);

    /// <summary>
    /// Gives the lease up at once if still held (a no-op otherwise) and, when the session still has
    /// work, wakes every process's workers so one claims it within milliseconds instead of at its
    /// next poll. <paramref name="midTurn"/>: the holder stops before the turn settled (a graceful
    /// drain); the lease is then expired rather than released, so the session counts as interrupted
    /// and is claimed first, by takeover headroom too, as after a crash but without waiting out the TTL.
    /// </summary>
    Task ReleaseAsync(SessionLease lease, CancellationToken ct, bool midTurn = false);

    /// <summary>
    /// Up to <paramref name="limit"/> sessions (any workspace) that have work and no unexpired
    /// lease: interrupted ones first, then by oldest work (<c>work_since</c>), then id. With
    /// <paramref name="interruptedOnly"/>, interrupted sessions only (what takeover headroom may
    /// run). Callers then race with <see cref="TryAcquireAsync"/>.
    /// </summary>
    Task<IReadOnlyList<ClaimableSession>> FindClaimableAsync(int limit, CancellationToken ct, bool interruptedOnly = false);

    /// <summary>
    /// <see cref="ISessionLog.AppendAsync"/> plus, in the same transaction, flags the session as
    /// having work; after commit wakes the session's readers and the workers (WorkChannel).
    /// </summary>
    Task<IReadOnlyList<EventRecord>> AppendWithWorkAsync(string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct);

    /// <summary>Flags the session as having work (idempotent) and wakes workers.</summary>
    Task MarkWorkAsync(string sessionId, CancellationToken ct);

    /// <summary>
    /// The fenced write of the harness, in one transaction: checks the lease is still held at
    /// <c>lease.Epoch</c> (else throws <see cref="LeaseLostException"/> and writes nothing), then
    /// records <paramref name="write"/> (events, row, processed marks, work flag; see <see cref="FencedWrite"/>).
    /// Wakes stream readers after commit.
    /// </summary>
    Task<IReadOnlyList<EventRecord>> AppendFencedAsync(SessionLease lease, FencedWrite write, DateTimeOffset now, CancellationToken ct);
}
