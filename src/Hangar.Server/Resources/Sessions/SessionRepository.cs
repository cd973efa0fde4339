using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>Loads sessions of a workspace and applies read-modify-write changes with the store's revision check.</summary>
public static class SessionRepository
{
    private const int MaxAttempts = 8;

    public static async Task<StoredSession> GetAsync(IHangarStore store, string workspaceId, string sessionId, CancellationToken ct) =>
        await FindAsync(store, workspaceId, sessionId, ct) ?? throw NotFound(sessionId);

    public static async Task<StoredSession?> FindAsync(IHangarStore store, string workspaceId, string sessionId, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(sessionId, Ids.Session))
        {
            return null;
        }
        var record = await store.Resources.GetAsync(ResourceKind.Session, workspaceId, sessionId, ct);
        return record is null ? null : StoredSession.From(record);
    }

    /// <summary>
    /// Re-reads and re-applies <paramref name="change"/> until the write wins over concurrent
    /// writers. <paramref name="change"/> validates against the current state (throwing an
    /// <see cref="ApiException"/> to refuse) and returns the new <c>archived_at</c>, or
    /// <see cref="Unchanged"/> to skip the write.
    /// </summary>
    public static async Task<StoredSession> UpdateAsync(
        IHangarStore store, string workspaceId, string sessionId,
        Func<StoredSession, SessionChange> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var session = await GetAsync(store, workspaceId, sessionId, ct);
            var result = change(session);
            if (!result.Changed)
            {
                return session;
            }
            var record = session.ToRecord(result.ArchivedAt ?? session.Record.ArchivedAt);
            if (await store.Resources.ReplaceAsync(record, session.Record.Revision, ct))
            {
                return StoredSession.From(record with { Revision = session.Record.Revision + 1 });
            }
        }
        throw new ConflictException("The session changed concurrently too many times; retry the request.");
    }

    public static NotFoundException NotFound(string sessionId) =>
        new($"No session with id '{sessionId}' in this workspace.");
}

/// <summary>The outcome of a change function: whether to write, and the archive time to store.</summary>
public readonly record struct SessionChange(bool Changed, DateTimeOffset? ArchivedAt = null)
{
    public static SessionChange Unchanged => new(false);

    public static SessionChange Write => new(true);
}
