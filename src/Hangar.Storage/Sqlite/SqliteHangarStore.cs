using Hangar.Storage.Sql;

namespace Hangar.Storage.Sqlite;

/// <summary>The embedded default: one SQLite file, <c>hangar.db</c>, in the data directory.</summary>
internal sealed class SqliteHangarStore : IHangarStore
{
    public const string FileName = "hangar.db";

    private readonly SqliteDatabase _db;
    private readonly LocalEventNotifications _notifications = new();

    public SqliteHangarStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        _db = new SqliteDatabase(Path.Combine(dataDirectory, FileName));
        var resources = new SqlResourceStore(_db);
        Workspaces = new SqlWorkspaceStore(_db);
        Resources = resources;
        Agents = new SqlAgentStore(_db, resources);
        Events = new SqliteSessionLog(_db, _notifications);
        FileContents = new SqlFileContentStore(_db);
    }

    public IWorkspaceStore Workspaces { get; }
    public IResourceStore Resources { get; }
    public IAgentStore Agents { get; }
    public ISessionLog Events { get; }
    public IFileContentStore FileContents { get; }

    // Implemented on the leases branch.
    public ISessionLeases Leases => throw new NotSupportedException("Leases are not implemented yet.");
    public IEventNotifications Notifications => _notifications;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await _db.EnableWalAsync(ct);
        await SchemaMigrator.MigrateAsync(_db, "Sqlite", lockSql: null, ct);
    }

    public ValueTask DisposeAsync()
    {
        _db.ClearPool();
        return ValueTask.CompletedTask;
    }
}
