using Hangar.Storage;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>
/// One server per backend, started on first use and shared by every test in the collection
/// (tests isolate themselves with unique names and per-agent filters).
/// </summary>
public sealed class HangarServers : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<StoreKind, RunningHangar> _running = [];

    public async Task<RunningHangar> For(StoreKind kind)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_running.TryGetValue(kind, out var hangar))
            {
                using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                hangar = kind switch
                {
                    StoreKind.Sqlite => await StartSqliteAsync(startup.Token),
                    _ => await StartPostgresAsync(startup.Token),
                };
                _running[kind] = hangar;
            }
            return hangar;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Task<RunningHangar> StartSqliteAsync(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("hangar-conformance-").FullName;
        return RunningHangar.StartAsync(new StoreOptions(DataDirectory: directory), directory, ct);
    }

    private static async Task<RunningHangar> StartPostgresAsync(CancellationToken ct)
    {
        var cluster = await Hangar.Testing.PostgresCluster.SharedAsync();
        return await RunningHangar.StartAsync(new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync(ct)), null, ct);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var hangar in _running.Values)
        {
            await hangar.DisposeAsync();
        }
        _running.Clear();
    }
}

/// <summary>All SDK-facing tests share one pair of servers and run one at a time (2-core box).</summary>
[CollectionDefinition(Name)]
public sealed class HangarCollection : ICollectionFixture<HangarServers>
{
    public const string Name = "Hangar servers";
}
