using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Tools;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// A Hangar server that runs sessions: harness workers on, every model id routed to a fake
/// Anthropic Messages server, tools in the local workspace sandbox.
/// </summary>
public sealed class WorkingHangar : IAsyncDisposable
{
    private WorkingHangar(RunningHangar server, FakeMessagesServer model, ModelScripts scripts, string workspaces)
    {
        Server = server;
        Model = model;
        Scripts = scripts;
        Workspaces = workspaces;
    }

    public RunningHangar Server { get; }

    /// <summary>The fake model every request of this server goes to.</summary>
    public FakeMessagesServer Model { get; }

    /// <summary>Per-test replies on the shared fake (see <see cref="ModelScripts"/>).</summary>
    public ModelScripts Scripts { get; }

    /// <summary>Where the local sandbox keeps each session's workspace (<c>{Workspaces}/{session id}</c>).</summary>
    public string Workspaces { get; }

    /// <summary>
    /// Test timings: leases and polls short enough to notice work within a fraction of a second,
    /// three model attempts with a backoff of tens of milliseconds so retry tests are quick.
    /// </summary>
    public static WorkerSettings Settings(FakeMessagesServer model, string workspaces, int concurrency = 4) => new()
    {
        Models = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(model.ApiKey, model.BaseUrl.ToString()))),
        Concurrency = concurrency,
        LeaseTtl = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(200),
        MaxModelAttempts = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        // Explicit, so tests can look into a workspace whatever the default sandbox becomes.
        Sandboxes = new LocalWorkspaceSandboxProvider(workspaces, NullLogger<LocalWorkspaceSandboxProvider>.Instance),
        WorkspacesDirectory = workspaces,
    };

    public static async Task<WorkingHangar> StartAsync(StoreKind kind, CancellationToken ct)
    {
        var scratch = Directory.CreateTempSubdirectory("hangar-harness-e2e-").FullName;
        var workspaces = Path.Combine(scratch, "workspaces");
        var store = kind == StoreKind.Sqlite
            ? new StoreOptions(DataDirectory: scratch)
            : new StoreOptions(ConnectionString: await (await Hangar.Testing.PostgresCluster.SharedAsync()).CreateDatabaseAsync(ct));
        var model = await FakeMessagesServer.StartAsync(ct);
        var scripts = new ModelScripts(model);
        var server = await RunningHangar.StartAsync(store, scratch, ct, Settings(model, workspaces));
        return new WorkingHangar(server, model, scripts, workspaces);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Model.DisposeAsync();
    }
}

/// <summary>One working server per backend, shared by the collection and started on first use.</summary>
public sealed class WorkingHangars : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<StoreKind, WorkingHangar> _running = [];

    public async Task<WorkingHangar> For(StoreKind kind)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_running.TryGetValue(kind, out var hangar))
            {
                using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                hangar = await WorkingHangar.StartAsync(kind, startup.Token);
                _running[kind] = hangar;
            }
            return hangar;
        }
        finally
        {
            _gate.Release();
        }
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

/// <summary>
/// Sessions that actually run. Not parallel with the API tests: interrupt and retry timings and
/// the 200-session run need the two cores to themselves.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkingHangarCollection : ICollectionFixture<WorkingHangars>
{
    public const string Name = "Hangar servers with workers";
}
