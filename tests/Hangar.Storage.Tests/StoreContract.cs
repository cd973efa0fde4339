using Hangar.Contracts;
using Xunit.Abstractions;

namespace Hangar.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IHangarStore"/> must have. Each engine runs this same suite
/// through a subclass that says how to open a fresh store (and a second instance on it).
/// </summary>
public abstract partial class StoreContract(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    protected IHangarStore Store { get; private set; } = null!;

    protected ITestOutputHelper Output => output;

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>Creates the empty database this test uses.</summary>
    protected abstract Task PrepareAsync();

    /// <summary>Opens a store on this test's database; called again for a second "process".</summary>
    protected abstract Task<IHangarStore> OpenStoreAsync();

    protected abstract Task CleanupAsync();

    /// <summary>
    /// Moves the lease clock on by at least <paramref name="span"/>: SQLite's is a fake clock the test
    /// advances; PostgreSQL's is the server's own, so there it is a real wait (only ever a lower bound).
    /// </summary>
    protected abstract Task LetLeaseTimePassAsync(TimeSpan span);

    /// <summary>
    /// Returns once every wake-up of the writes so far has reached <see cref="Store"/>'s subscribers: at
    /// once on SQLite; on PostgreSQL NOTIFYs arrive asynchronously (in commit order), so a late one must not
    /// be taken for the wake-up of a later write.
    /// </summary>
    protected virtual Task SettleNotificationsAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        Store = await OpenStoreAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CleanupAsync();
        _timeout.Dispose();
    }

    protected Task<string> NewWorkspaceAsync() => Store.Workspaces.EnsureAsync("ws-" + Guid.NewGuid().ToString("N"), Ct);

    protected static ResourceRecord Resource(
        ResourceKind kind, string workspaceId, string? uniqueName = null, string? id = null, DateTimeOffset? createdAt = null) =>
        new(kind, workspaceId, id ?? Ids.New(Prefix(kind)), """{"v":1}""", 1, createdAt ?? DateTimeOffset.UtcNow, null, uniqueName);

    protected static ResourceRecord SessionRecord(string workspaceId, string agentId = "agent_x", int agentVersion = 1, string status = "idle") =>
        Resource(ResourceKind.Session, workspaceId) with { Session = new SessionColumns(agentId, agentVersion, status) };

    protected static ResourceRecord FileRecord(string workspaceId, string? sessionId) =>
        Resource(ResourceKind.File, workspaceId) with
        {
            Json = sessionId is null ? """{"type":"file"}""" : $$$"""{"type":"file","scope":{"type":"session","id":"{{{sessionId}}}"}}""",
        };

    protected async Task<string> NewSessionAsync(string workspaceId)
    {
        var session = SessionRecord(workspaceId);
        await Store.Resources.InsertAsync(session, Ct);
        return session.Id;
    }

    protected static NewEvent Event(string type = "user.message", DateTimeOffset? processedAt = null) =>
        new(Ids.New(Ids.Event), type, $$"""{"type":"{{type}}"}""", processedAt);

    private static string Prefix(ResourceKind kind) => kind switch
    {
        ResourceKind.Agent => Ids.Agent,
        ResourceKind.Environment => Ids.Environment,
        ResourceKind.Session => Ids.Session,
        _ => Ids.File,
    };
}
