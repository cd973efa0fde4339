using Hangar.Storage.Sql;

namespace Hangar.Storage.Sqlite;

/// <summary>The embedded default: one SQLite file, <c>hangar.db</c>, in the data directory.</summary>
internal sealed class SqliteHangarStore : IHangarStore
{
    public const string FileName = "hangar.db";

    private readonly SqliteDatabase _db;
    private readonly LocalEventNotifications _notifications = new();

    public SqliteHangarStore(string dataDirectory)
        : this(dataDirectory, TimeProvider.System)
    {
    }

    /// <summary><paramref name="time"/> is the clock lease expiry is measured by.</summary>
    public SqliteHangarStore(string dataDirectory, TimeProvider time, TimeSpan? maxGroupTime = null)
    {
        Directory.CreateDirectory(dataDirectory);
        _db = new SqliteDatabase(Path.Combine(dataDirectory, FileName), maxGroupTime);
        var resources = new SqlResourceStore(_db);
        Workspaces = new SqlWorkspaceStore(_db);
        Resources = resources;
        Agents = new SqlAgentStore(_db, resources);
        var events = new SqliteSessionLog(_db, _notifications);
        Events = events;
        Leases = new SqliteSessionLeases(_db, events, resources, _notifications, time);
        FileContents = new SqlFileContentStore(_db);
        Vaults = new SqlVaultStore(_db, resources);
        EnvironmentKeys = new SqlEnvironmentKeys(_db);
        Work = new SqlWorkQueue(_db, events, _notifications, rowLocks: false);
    }

    public IEnvironmentKeys EnvironmentKeys { get; }
    public IWorkQueue Work { get; }

    public IWorkspaceStore Workspaces { get; }
    public IResourceStore Resources { get; }
    public IAgentStore Agents { get; }
    public ISessionLog Events { get; }
    public IFileContentStore FileContents { get; }
    public IVaultStore Vaults { get; }

    public ISessionLeases Leases { get; }
    public IEventNotifications Notifications => _notifications;

    public Deltas.IDeltaBus Deltas { get; } = new Deltas.LocalDeltaBus();

    internal SqliteDatabase Database => _db;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await _db.EnableWalAsync(ct);
        await SchemaMigrator.MigrateAsync(_db, "Sqlite", lockSql: null, ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
