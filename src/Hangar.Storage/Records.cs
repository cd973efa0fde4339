namespace Hangar.Storage;

/// <summary>The resource kinds kept in the resource store. Each lives in its own id space (prefix).</summary>
public enum ResourceKind
{
    Agent,
    Environment,
    Session,
    File,
    Vault,
    /// <summary>A vault credential; its row's scope is its vault (the JSON's <c>vault_id</c>).</summary>
    VaultCredential,
}

/// <summary>
/// One stored resource: its wire JSON (the object the API returns, minus nothing) plus the
/// columns the store must index. <see cref="Revision"/> grows by one on every replace and is
/// the optimistic-concurrency token. <see cref="UniqueName"/>, when set, is unique per
/// (workspace, kind) among all rows, archived or not.
/// </summary>
public sealed record ResourceRecord(
    ResourceKind Kind,
    string WorkspaceId,
    string Id,
    string Json,
    long Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ArchivedAt,
    string? UniqueName = null,
    SessionColumns? Session = null);

/// <summary>Session columns that list filters need (only for <see cref="ResourceKind.Session"/>).</summary>
public sealed record SessionColumns(string AgentId, int AgentVersion, string Status);

/// <summary>
/// A list query. Pagination is keyset on the id (ids sort by creation time):
/// <see cref="AfterId"/> is the last id of the previous page in the requested order.
/// </summary>
public sealed record ResourceQuery(int Limit, string? AfterId = null, bool Descending = false, bool IncludeArchived = false)
{
    public DateTimeOffset? CreatedGt { get; init; }
    public DateTimeOffset? CreatedGte { get; init; }
    public DateTimeOffset? CreatedLt { get; init; }
    public DateTimeOffset? CreatedLte { get; init; }
    public string? AgentId { get; init; }
    public int? AgentVersion { get; init; }
    public IReadOnlyList<string>? Statuses { get; init; }
    /// <summary>Files only: the session the file belongs to (outputs), or null for any.</summary>
    public string? ScopeId { get; init; }
    /// <summary>Sessions only: the environment the session runs in (its JSON's <c>environment_id</c>).</summary>
    public string? EnvironmentId { get; init; }
    /// <summary>Only these ids (files <c>ids[]</c>).</summary>
    public IReadOnlyList<string>? Ids { get; init; }
}

/// <summary>One page; <see cref="HasMore"/> tells whether another page follows.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);

/// <summary>One immutable agent version (the full agent JSON as it was at that version).</summary>
public sealed record AgentVersionRecord(string AgentId, int Version, string Json, DateTimeOffset CreatedAt);

/// <summary>An event to append: the server has assigned its id and built its JSON.</summary>
public sealed record NewEvent(string Id, string Type, string Json, DateTimeOffset? ProcessedAt);

/// <summary>
/// A stored event. <see cref="Seq"/> is its 1-based position in its session's log, dense and
/// unique per session (enforced by a unique constraint). <see cref="Position"/> is its position
/// in the store-wide feed (see <see cref="ISessionLog.ReadFeedAsync"/>).
/// </summary>
public sealed record EventRecord(
    string SessionId,
    long Seq,
    string Id,
    string Type,
    string Json,
    DateTimeOffset? ProcessedAt,
    long Position);

public sealed record EventQuery(int Limit, long AfterSeq = 0, bool Descending = false)
{
    /// <summary>For descending pages: only events with seq below this (0 = from the end).</summary>
    public long BeforeSeq { get; init; }
    public IReadOnlyList<string>? Types { get; init; }
    public DateTimeOffset? ProcessedGt { get; init; }
    public DateTimeOffset? ProcessedGte { get; init; }
    public DateTimeOffset? ProcessedLt { get; init; }
    public DateTimeOffset? ProcessedLte { get; init; }
}

/// <summary>
/// Where a feed reader stands. Opaque to callers except that it only moves forward;
/// <see cref="Start"/> reads from the beginning.
/// </summary>
public readonly record struct FeedCursor(long Token, long Position)
{
    public static FeedCursor Start => default;
}

public sealed record FeedPage(IReadOnlyList<EventRecord> Events, FeedCursor Next);

/// <summary>Metadata and content of an uploaded file.</summary>
public sealed record FileContent(string WorkspaceId, string FileId, byte[] Bytes);
