using Hangar.Storage.Sql;
using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>PostgreSQL for scale-out: many server and worker processes share one database.</summary>
internal sealed class PostgresHangarStore : IHangarStore
{
    // Any fixed number; every Hangar process migrating the same database takes the same lock.
    private const long MigrationLockKey = 0x48616e676172;

    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _listenSource;
    private readonly PostgresDatabase _db;
    private readonly LocalEventNotifications _notifications = new();
    private readonly PostgresNotificationListener _listener;
    private readonly PostgresSessionLog _events;
    private readonly PostgresDeltaBus _deltas;

    private PostgresHangarStore(string connectionString, int poolSize)
    {
        _source = NpgsqlDataSource.Create(PoolSizing.Apply(connectionString, poolSize));
        // Keepalives let the idle LISTEN connection notice a dead server and reconnect.
        var listen = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (listen.KeepAlive == 0)
        {
            listen.KeepAlive = 15;
        }
        _listenSource = NpgsqlDataSource.Create(listen.ConnectionString);
        _db = new PostgresDatabase(_source);
        _listener = new PostgresNotificationListener(_listenSource, _notifications);
        var resources = new SqlResourceStore(_db);
        Workspaces = new SqlWorkspaceStore(_db);
        Resources = resources;
        Agents = new SqlAgentStore(_db, resources);
        _events = new PostgresSessionLog(_db, _notifications);
        Leases = new PostgresSessionLeases(_db, _events, resources, _notifications, () => _listener.Presence);
        FileContents = new SqlFileContentStore(_db);
        Vaults = new SqlVaultStore(_db, resources);
        EnvironmentKeys = new SqlEnvironmentKeys(_db);
        Work = new SqlWorkQueue(_db, _events, _notifications, rowLocks: true);
        _deltas = new PostgresDeltaBus(_source, _listenSource);
    }

    public IEnvironmentKeys EnvironmentKeys { get; }
    public IWorkQueue Work { get; }

    public IWorkspaceStore Workspaces { get; }
    public IResourceStore Resources { get; }
    public IAgentStore Agents { get; }
    public ISessionLog Events => _events;
    public IFileContentStore FileContents { get; }
    public IVaultStore Vaults { get; }

    public ISessionLeases Leases { get; }
    public IEventNotifications Notifications => _notifications;

    public Deltas.IDeltaBus Deltas => _deltas;

    /// <summary>Test hook: runs inside each append's transaction just before commit.</summary>
    internal Func<string, CancellationToken, Task>? BeforeAppendCommit
    {
        get => _events.BeforeCommit;
        set => _events.BeforeCommit = value;
    }

    /// <summary>Benchmark hook: appends as before issue 14, a round trip per statement (see <see cref="PostgresSessionLog.RoundTripPerStatement"/>).</summary>
    internal bool AppendsRoundTripPerStatement
    {
        get => _events.RoundTripPerStatement;
        set => _events.RoundTripPerStatement = value;
    }

    public static async Task<PostgresHangarStore> ConnectAsync(string connectionString, int poolSize, CancellationToken ct)
    {
        var store = new PostgresHangarStore(connectionString, poolSize);
        try
        {
            await store._listener.StartAsync(ct);
            store._deltas.Start();
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public Task MigrateAsync(CancellationToken ct) =>
        SchemaMigrator.MigrateAsync(_db, "Postgres", $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct);

    public async ValueTask DisposeAsync()
    {
        await _deltas.DisposeAsync();
        await _listener.DisposeAsync();
        await _listenSource.DisposeAsync();
        await _source.DisposeAsync();
    }
}
