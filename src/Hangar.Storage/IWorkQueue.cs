namespace Hangar.Storage;

/// <summary>
/// An environment key (<c>sk-ant-oat01-…</c>): scoped to one self-hosted environment's queue and to
/// the sessions of the work items claimed with it. Only its hash is stored.
/// </summary>
public sealed record EnvironmentKeyRecord(
    string Id, string WorkspaceId, string EnvironmentId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Environment keys, created by the operator (<c>hangar env-keys</c>), stored hashed like API keys.</summary>
public interface IEnvironmentKeys
{
    Task AddAsync(EnvironmentKeyRecord key, string keyHash, CancellationToken ct);

    /// <summary>The key with this hash, or null when unknown or revoked.</summary>
    Task<EnvironmentKeyRecord?> FindByHashAsync(string keyHash, CancellationToken ct);

    /// <summary>The environment's keys, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<EnvironmentKeyRecord>> ListAsync(string environmentId, CancellationToken ct);

    /// <summary>Revokes the key; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken ct);
}

/// <summary>The states of a work item (api.md §12): <c>queued → starting (ack) → active → stopping → stopped</c>.</summary>
public static class WorkStates
{
    public const string Queued = "queued";
    public const string Starting = "starting";
    public const string Active = "active";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
}

/// <summary>
/// One residency of a session on a self-hosted worker. A claim (poll) stamps <see cref="ClaimedAt"/>
/// and hands out a sessions token whose hash replaces the previous one; the item stays
/// <c>queued</c> until acknowledged. An acknowledged item whose lease lapses goes back to the queue.
/// </summary>
public sealed record WorkItemRecord(
    string Id,
    string WorkspaceId,
    string EnvironmentId,
    string SessionId,
    string State,
    string MetadataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClaimedAt,
    string? ClaimedBy,
    string? ClaimedKeyId,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LatestHeartbeatAt,
    DateTimeOffset? LeaseExpiresAt,
    int TtlSeconds,
    DateTimeOffset? StopRequestedAt,
    DateTimeOffset? StoppedAt)
{
    /// <summary>Queued, starting or active: the session's one live residency.</summary>
    public bool IsLive => State is WorkStates.Queued or WorkStates.Starting or WorkStates.Active;
}

/// <summary>A poll's claim: who claims, with which key, and the hash of the sessions token it will receive.</summary>
public sealed record WorkClaim(
    string EnvironmentId, string WorkerId, string KeyId, string TokenHash, TimeSpan ReclaimOlderThan, DateTimeOffset Now);

/// <summary>
/// A heartbeat's answer. <see cref="Accepted"/>: the precondition held (the lease was extended
/// unless the item is stopping or stopped). Null <see cref="Item"/>: no such item.
/// </summary>
public sealed record HeartbeatOutcome(WorkItemRecord? Item, bool Accepted, bool LeaseExtended);

public sealed record WorkQueueStats(long Depth, long Pending, DateTimeOffset? OldestQueuedAt, long WorkersPolling);

/// <summary>
/// The work queue of self-hosted environments. Every transition is one conditional statement (or
/// one transaction), so many API processes can serve the same queue: of several concurrent
/// claimers each item goes to exactly one (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>).
/// Times come from the caller (the server's <see cref="TimeProvider"/>).
/// </summary>
public interface IWorkQueue
{
    /// <summary>Adds a queued item for the session unless it already has a live one; returns the live item either way.</summary>
    Task<WorkItemRecord> EnqueueAsync(string workspaceId, string environmentId, string sessionId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Claims the oldest claimable item of the environment: queued and never claimed, queued and
    /// claimed longer ago than <see cref="WorkClaim.ReclaimOlderThan"/> (un-acked), or acknowledged
    /// with a lapsed lease (its holder died: it returns to the queue). Null when none.
    /// </summary>
    Task<WorkItemRecord?> ClaimAsync(WorkClaim claim, CancellationToken ct);

    Task<WorkItemRecord?> GetAsync(string environmentId, string workId, CancellationToken ct);

    /// <summary>The item whose latest claim handed out the token with this hash, while not stopped.</summary>
    Task<WorkItemRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken ct);

    /// <summary>Whether the environment key claimed an item of this session that is not stopped.</summary>
    Task<bool> HasClaimedAsync(string keyId, string sessionId, CancellationToken ct);

    /// <summary>The session's live or stopping item, if any.</summary>
    Task<WorkItemRecord?> FindOpenForSessionAsync(string sessionId, CancellationToken ct);

    /// <summary>
    /// <c>queued</c> (claimed) → <c>starting</c>, starting the lease. Returns the item after the
    /// call (unchanged when it was not a claimed queued item), or null when there is none.
    /// </summary>
    Task<WorkItemRecord?> AcknowledgeAsync(string environmentId, string workId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Extends the lease when the stored heartbeat equals <paramref name="expectedLastHeartbeat"/>
    /// (null = none yet) and the item is claimed and not stopping; <c>starting</c> becomes
    /// <c>active</c>. Stopping and stopped items are never checked and never extended.
    /// </summary>
    Task<HeartbeatOutcome> HeartbeatAsync(
        string environmentId, string workId, DateTimeOffset? expectedLastHeartbeat, int? ttlSeconds, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Requests a stop: an item no worker holds, or any item with <paramref name="force"/>, is
    /// <c>stopped</c> at once; a held one becomes <c>stopping</c> and keeps its lease (a claimed,
    /// unacknowledged one gets one TTL from now), after which <see cref="StopLapsedAsync"/> stops it. Returns the item before and after;
    /// null when there is none.
    /// </summary>
    Task<(WorkItemRecord Before, WorkItemRecord After)?> StopAsync(
        string environmentId, string workId, bool force, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// <c>stopping</c> items of the environment whose lease lapsed become <c>stopped</c>: the worker
    /// that was to confirm the stop is gone, and a stopping item is never handed out again.
    /// (A stop requested before the ack gives the claimer one TTL to notice.) Returns the items
    /// it stopped, so their sessions can be looked at again.
    /// </summary>
    Task<IReadOnlyList<WorkItemRecord>> StopLapsedAsync(string environmentId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Replaces the metadata JSON with <paramref name="patch"/>(current) in one transaction.</summary>
    Task<WorkItemRecord?> UpdateMetadataAsync(string environmentId, string workId, Func<string, string> patch, CancellationToken ct);

    /// <summary>Items of the environment, newest first, after <paramref name="beforeId"/>.</summary>
    Task<Page<WorkItemRecord>> ListAsync(string environmentId, int limit, string? beforeId, CancellationToken ct);

    Task<WorkQueueStats> StatsAsync(string environmentId, DateTimeOffset pollersSince, CancellationToken ct);

    Task RecordPollAsync(string environmentId, string workerId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Wakes long-polls of the environment when an item is enqueued or returned (in every process).</summary>
    EventSubscription Subscribe(string environmentId);
}
