using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Hangar.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: initdb into a temp directory, started on a free
/// loopback port, stopped and deleted on dispose. Use <see cref="SharedAsync"/> so one test
/// process starts a single cluster, or use the class as an xunit collection fixture.
/// Each test class asks for its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime, IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(StartSharedAsync);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hangar-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private PostgresBinaries? _binaries;
    private int _databases;

    public int Port { get; private set; }

    /// <summary>A connection string for the maintenance database.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <summary>The process-wide cluster, started on first use and stopped when the process exits.</summary>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    private static async Task<PostgresCluster> StartSharedAsync()
    {
        var cluster = new PostgresCluster();
        await cluster.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    public async Task InitializeAsync()
    {
        _binaries = PostgresBinaries.Find();
        var data = Path.Combine(_root, "data");
        var sockets = Path.Combine(_root, "sockets");
        Directory.CreateDirectory(sockets);
        _binaries.GiveToServerUser(_root);
        await _binaries.RunAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var options = $"-p {Port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                + "-c full_page_writes=off -c max_connections=400 -c shared_buffers=32MB";
            try
            {
                await _binaries.RunAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process may have taken the port between probing and binding; try another.
            }
        }
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0", connection);
        await create.ExecuteNonQueryAsync(ct);
        return ConnectionString(name);
    }

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        MaxPoolSize = 50,
    }.ConnectionString;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server at once (the data is thrown away) and deletes the directory.</summary>
    public void Stop()
    {
        if (_binaries is not null && File.Exists(Path.Combine(_root, "data", "postmaster.pid")))
        {
            NpgsqlConnection.ClearAllPools();
            _binaries.RunAsync("pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]).GetAwaiter().GetResult();
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    ValueTask IAsyncDisposable.DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
