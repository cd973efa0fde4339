using System.Diagnostics;
using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Bench;

/// <summary>The two storage engines every storage-facing scenario compares.</summary>
public enum Engine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// What a scenario gets from the runner: the mode, progress output, and fresh stores. SQLite
/// stores live under one temp directory per run; PostgreSQL databases live in one throwaway
/// cluster per run, started on first use with durable commits (fsync on) so that comparing the
/// engines compares durable appends on both. Everything is removed when the run ends.
/// </summary>
public sealed class BenchContext(bool smoke) : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hangar-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _clusterGate = new(1, 1);
    private PostgresCluster? _cluster;

    public bool Smoke { get; } = smoke;

    /// <summary>Whether the PostgreSQL cluster flushes commits to disk (recorded in the results).</summary>
    public bool PostgresDurable => true;

    /// <summary>Where SQLite files go (recorded in the results: durability depends on the disk).</summary>
    public string SqliteRoot => _root;

    /// <summary>A new directory under the run's temp directory (removed when the run ends).</summary>
    public string TempDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    /// <summary>Picks the full-run or the smoke-run size.</summary>
    public T Size<T>(T full, T smoke) => Smoke ? smoke : full;

    public void Progress(string message) =>
        Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss\\.f}] {message}");

    /// <summary>Options for a new, empty store of the engine (for scenarios that run a server).</summary>
    public async Task<StoreOptions> NewStoreOptionsAsync(Engine engine, CancellationToken ct)
    {
        if (engine == Engine.Sqlite)
        {
            return new StoreOptions(DataDirectory: Path.Combine(_root, "sqlite-" + Guid.NewGuid().ToString("N")[..8]));
        }
        var cluster = await ClusterAsync();
        return new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync(ct));
    }

    /// <summary>A new, empty, migrated store of the engine; the caller disposes it.</summary>
    public async Task<IHangarStore> OpenStoreAsync(Engine engine, CancellationToken ct) =>
        await HangarStore.OpenAsync(await NewStoreOptionsAsync(engine, ct), ct);

    private async Task<PostgresCluster> ClusterAsync()
    {
        await _clusterGate.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                Progress("starting a PostgreSQL cluster (fsync on)");
                var cluster = new PostgresCluster(durable: PostgresDurable);
                await cluster.InitializeAsync();
                _cluster = cluster;
            }
            return _cluster;
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // No SQLite store was opened.
        }
        _clusterGate.Dispose();
    }
}
