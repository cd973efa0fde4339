namespace Hangar.Storage;

/// <summary>
/// Everything Hangar persists. Two implementations with identical behaviour (the same test
/// suite runs against both): SQLite (embedded default) and PostgreSQL (scale-out).
/// Every method that takes a workspace id only ever sees that workspace's rows.
/// </summary>
public interface IHangarStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start, from many processes.</summary>
    Task MigrateAsync(CancellationToken ct);

    IWorkspaceStore Workspaces { get; }
    IResourceStore Resources { get; }
    IAgentStore Agents { get; }
    ISessionLog Events { get; }
    IFileContentStore FileContents { get; }
    IVaultStore Vaults { get; }
    ISessionLeases Leases { get; }

    /// <summary>Environment keys and the work queue of self-hosted environments.</summary>
    IEnvironmentKeys EnvironmentKeys { get; }
    IWorkQueue Work { get; }

    /// <summary>Wake-ups for readers that follow a session's log (SSE), across processes.</summary>
    IEventNotifications Notifications { get; }

    /// <summary>Live previews (event_start/event_delta) between the harness and streams, across processes; never stored.</summary>
    Deltas.IDeltaBus Deltas { get; }
}

public interface IWorkspaceStore
{
    /// <summary>Returns the id of the workspace with this name, creating it when missing.</summary>
    Task<string> EnsureAsync(string name, CancellationToken ct);

    /// <summary>Stores an API key by its hash (the key itself is never stored).</summary>
    Task AddKeyAsync(string workspaceId, string keyHash, CancellationToken ct);

    Task<string?> FindWorkspaceByKeyHashAsync(string keyHash, CancellationToken ct);
}

public interface IResourceStore
{
    /// <summary>Inserts a new row. Throws <see cref="DuplicateNameException"/> when the unique name is taken.</summary>
    Task InsertAsync(ResourceRecord record, CancellationToken ct);

    Task<ResourceRecord?> GetAsync(ResourceKind kind, string workspaceId, string id, CancellationToken ct);

    Task<Page<ResourceRecord>> ListAsync(ResourceKind kind, string workspaceId, ResourceQuery query, CancellationToken ct);

    /// <summary>
    /// The row with this id in whichever workspace holds it (ids are unique store-wide). Only for
    /// housekeeping that knows an id but not its workspace (the sandbox sweep); never for API requests.
    /// </summary>
    Task<ResourceRecord?> FindAsync(ResourceKind kind, string id, CancellationToken ct);

    /// <summary>
    /// Replaces the row when its stored revision equals <paramref name="expectedRevision"/>;
    /// the stored revision becomes <c>expectedRevision + 1</c> whatever <c>record.Revision</c> says.
    /// Returns false (and changes nothing) on a revision mismatch or a missing row.
    /// Throws <see cref="DuplicateNameException"/> when the new unique name is taken.
    /// </summary>
    Task<bool> ReplaceAsync(ResourceRecord record, long expectedRevision, CancellationToken ct);

    /// <summary>
    /// Deletes the row. For a session this also deletes its events and the files scoped to it,
    /// in one transaction. Returns false when there was no such row.
    /// </summary>
    Task<bool> DeleteAsync(ResourceKind kind, string workspaceId, string id, CancellationToken ct);
}

/// <summary>Agents: the agent row (latest version) and its immutable versions, written together.</summary>
public interface IAgentStore
{
    /// <summary>Inserts the agent row and its version 1 in one transaction.</summary>
    Task CreateAsync(ResourceRecord agent, AgentVersionRecord firstVersion, CancellationToken ct);

    /// <summary>
    /// Replaces the agent row (revision check as <see cref="IResourceStore.ReplaceAsync"/>) and adds
    /// <paramref name="newVersion"/> in one transaction. Returns false and writes nothing on a
    /// revision mismatch or when that version number already exists.
    /// </summary>
    Task<bool> AddVersionAsync(ResourceRecord agent, long expectedRevision, AgentVersionRecord newVersion, CancellationToken ct);

    Task<AgentVersionRecord?> GetVersionAsync(string workspaceId, string agentId, int version, CancellationToken ct);

    /// <summary>Versions in ascending order after <paramref name="afterVersion"/>.</summary>
    Task<Page<AgentVersionRecord>> ListVersionsAsync(string workspaceId, string agentId, int limit, int afterVersion, CancellationToken ct);
}

/// <summary>
/// The append-only session event log. Per session, events are numbered 1, 2, 3… in append order
/// with no gaps (a unique constraint on (session, seq) enforces it); stored events never change,
/// except that a queued user event's <c>processed_at</c> is set once when the harness takes it.
/// An append is durable when the call returns (SQLite WAL + synchronous=FULL; PostgreSQL commit).
/// </summary>
public interface ISessionLog
{
    /// <summary>
    /// Appends the events atomically, after every event already in the session's log, and
    /// returns them with their seq numbers. All or none are written. After commit, subscribers
    /// of <see cref="IEventNotifications"/> for the session are woken (in every process).
    /// Throws <see cref="KeyNotFoundException"/> when the session row does not exist.
    /// </summary>
    Task<IReadOnlyList<EventRecord>> AppendAsync(string workspaceId, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct);

    /// <summary>Events with seq greater than <paramref name="afterSeq"/>, ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<EventRecord>> ReadAsync(string sessionId, long afterSeq, int limit, CancellationToken ct);

    Task<Page<EventRecord>> ListAsync(string sessionId, EventQuery query, CancellationToken ct);

    /// <summary>The seq of the session's last event, 0 when the log is empty.</summary>
    Task<long> GetLastSeqAsync(string sessionId, CancellationToken ct);

    /// <summary>Sets <c>processed_at</c> on an event where it is still null; returns whether it changed.</summary>
    Task<bool> MarkProcessedAsync(string sessionId, string eventId, DateTimeOffset processedAt, CancellationToken ct);

    /// <summary>
    /// The store-wide feed of events across all sessions, for readers that follow many sessions.
    /// Never skips an event: an event whose transaction commits after a reader passed its
    /// position is still delivered later (PostgreSQL keeps a high-water mark of transactions
    /// that may still commit). Each event is returned once per cursor chain, in commit order.
    /// </summary>
    Task<FeedPage> ReadFeedAsync(FeedCursor after, int limit, CancellationToken ct);
}

public interface IFileContentStore
{
    Task PutAsync(FileContent content, CancellationToken ct);

    Task<byte[]?> GetAsync(string workspaceId, string fileId, CancellationToken ct);
}

/// <summary>Wakes readers when a session's log may have grown. Signals coalesce; they carry no data.</summary>
public interface IEventNotifications
{
    EventSubscription Subscribe(string sessionId);
}

/// <summary>The unique name of a resource is already taken in its workspace.</summary>
public sealed class DuplicateNameException(string name) : Exception($"The name '{name}' is already in use.")
{
    public string Name { get; } = name;
}
