using System.Diagnostics;
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
    private string _serverOptions = "";
    private int _databases;

    /// <summary>A cluster tuned for tests: fsync, synchronous_commit and full_page_writes off.</summary>
    public PostgresCluster()
        : this(durable: false)
    {
    }

    /// <summary>
    /// With <paramref name="durable"/> the cluster keeps PostgreSQL's durable defaults (fsync,
    /// synchronous_commit, full_page_writes on), so a commit costs what it costs in production;
    /// benchmarks want that, tests want speed.
    /// </summary>
    public PostgresCluster(bool durable) => Durable = durable;

    /// <summary>Whether commits are flushed to disk (see the constructor).</summary>
    public bool Durable { get; }

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
        DeleteAbandonedClusters();
        var data = Path.Combine(_root, "data");
        var sockets = Path.Combine(_root, "sockets");
        Directory.CreateDirectory(sockets);
        _binaries.GiveToServerUser(_root);
        await _binaries.RunAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var durability = Durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off ";
            var options = $"-p {Port} -k {sockets} -c listen_addresses=127.0.0.1 {durability}"
                + "-c max_connections=400 -c shared_buffers=32MB";
            try
            {
                _serverOptions = options;
                await StartServerAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process may have taken the port between probing and binding; try another.
            }
        }
    }

    /// <summary>
    /// Stops the server the way an operator's restart does (<c>pg_ctl stop -m fast</c>: open
    /// sessions end with 57P01, new connections are refused) and keeps its data, so
    /// <see cref="StartServerAsync"/> brings the same databases back on the same port.
    /// Not for the shared cluster: other tests use it.
    /// </summary>
    public async Task StopServerAsync()
    {
        await _binaries!.RunAsync("pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> with the data it had.</summary>
    public async Task StartServerAsync()
    {
        var data = Path.Combine(_root, "data");
        await _binaries!.RunAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_root, "server.log"), "-o", _serverOptions, "-w", "-t", "60", "start"]);
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        // Unpooled: a pooled connection would be a broken one after StopServerAsync/StartServerAsync.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
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

    /// <summary>
    /// Stops the server at once (the data is thrown away) and deletes the directory. It signals
    /// the postmaster directly (SIGQUIT, what <c>pg_ctl stop -m immediate</c> sends) because this
    /// also runs at process exit, where a test host gives little time for child processes.
    /// </summary>
    public void Stop()
    {
        var pidFile = Path.Combine(_root, "data", "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
        {
            NpgsqlConnection.ClearAllPools();
            // The postmaster removes its pid file last; the process itself may linger as a zombie
            // when the container's init does not reap, so wait for the file, not the process.
            if (Signals.Kill(pid, Signals.Quit) == 0)
            {
                for (var i = 0; i < 100 && File.Exists(pidFile); i++)
                {
                    Thread.Sleep(10);
                }
            }
        }
        DeleteInChildProcess(_root);
    }

    /// <summary>
    /// Deleting a cluster with many databases takes a while, longer than a test host waits at
    /// exit; a child rm finishes the job even when the host is killed meanwhile.
    /// </summary>
    private static void DeleteInChildProcess(string path)
    {
        try
        {
            using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", path]) { UseShellExecute = false });
            rm?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            DeleteDirectory(path);
        }
    }

    /// <summary>The server may still be removing its own files right after stopping, so retry briefly.</summary>
    private static void DeleteDirectory(string path)
    {
        for (var attempt = 1; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Removes clusters left behind by test processes that were killed (no server running, old).</summary>
    private static void DeleteAbandonedClusters()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "hangar-pg-*"))
        {
            if (!File.Exists(Path.Combine(directory, "data", "postmaster.pid"))
                && Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddMinutes(-10))
            {
                try
                {
                    DeleteDirectory(directory);
                }
                catch (IOException)
                {
                    // Someone else's, or still in use: not ours to insist on.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
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
