using Hangar.Harness.Models;
using Hangar.Harness.Tools;
using Hangar.Harness.Workers;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;
using Hangar.Storage;
using Hangar.Tools;
using Hangar.Vault;

namespace Hangar.Server.Harness;

/// <summary>Builds the harness workers of a process (<c>hangar serve</c> or <c>hangar worker</c>).</summary>
public static class WorkerHosting
{
    /// <summary>
    /// Prepares the sandbox provider (proving bubblewrap works here, or throwing
    /// <see cref="SandboxUnavailableException"/> with what to do) and the worker pool. Nothing runs until
    /// <see cref="HarnessHost.Start"/>.
    /// </summary>
    /// <param name="cipher">The master keys: MCP credentials come from the session's vaults through it.</param>
    public static async Task<HarnessHost> CreateAsync(
        IHangarStore store, StoreOptions storeOptions, WorkerSettings settings, SecretCipher cipher, TimeProvider time, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var root = settings.WorkspacesDirectory ?? DefaultRoot(storeOptions);
        var allowPrivate = settings.AllowPrivateEgress ?? Hangar.Tools.Network.PrivateEgressAllowlist.None;
        var owned = new List<IAsyncDisposable>();
        var sandboxes = settings.Sandboxes;
        SandboxSweeper? sweeper = null;
        if (sandboxes is null && settings.Sandbox == SandboxKind.Local)
        {
            sandboxes = new LocalWorkspaceSandboxProvider(Path.Combine(root, "workspaces"), loggers.CreateLogger<LocalWorkspaceSandboxProvider>());
        }
        else if (sandboxes is null)
        {
            var sandboxOptions = new SandboxOptions
            {
                DataDirectory = root,
                UnrestrictedNetwork = settings.UnrestrictedNetwork,
                Limits = settings.SandboxLimits ?? new(),
                Owner = SandboxSweeper.OwnerOf(storeOptions),
                AllowPrivateEgress = allowPrivate,
                AllowUnlimitedMemory = settings.AllowUnlimitedMemory,
            };
            // Refuses when a required host program or kernel feature is missing; warns about optional ones.
            HostRequirements.Check(sandboxOptions).Enforce(loggers.CreateLogger<HostReport>());
            var egress = new EgressProxy(
                new EgressProxyOptions { SocketDirectory = Path.Combine(root, "egress"), AllowPrivateEgress = allowPrivate, UpstreamTrustedRoots = settings.EgressUpstreamTrustedRoots },
                loggers.CreateLogger<EgressProxy>());
            owned.Add(egress);
            var bubblewrap = await BubblewrapSandboxProvider.CreateAsync(
                sandboxOptions, loggers.CreateLogger<BubblewrapSandboxProvider>(), egress, ct);
            owned.Insert(0, bubblewrap);
            sandboxes = bubblewrap;
            sweeper = new SandboxSweeper(store, bubblewrap, settings.SandboxSweepInterval, time, loggers.CreateLogger<SandboxSweeper>());
            owned.Insert(0, sweeper);
        }
        var webFetcher = settings.WebFetcher;
        if (webFetcher is null)
        {
            var fetcher = new HttpWebFetcher(new WebFetchOptions { AllowPrivateEgress = allowPrivate });
            owned.Add(fetcher);
            webFetcher = fetcher;
        }
        var options = new HarnessOptions
        {
            WebFetcher = webFetcher,
            WebSearch = settings.WebSearch,
            Models = settings.Models ?? new ModelRouter(ModelRoutingOptions.None),
            Sandboxes = sandboxes,
            EagerSandbox = settings.EagerSandbox,
            BuiltInTools = BuiltInTools.Definitions(),
            Concurrency = settings.Concurrency,
            LeaseTtl = settings.LeaseTtl,
            PollInterval = settings.PollInterval,
            MaxModelAttempts = settings.MaxModelAttempts,
            RetryBaseDelay = settings.RetryBaseDelay,
            RetryMaxDelay = settings.RetryMaxDelay,
            CompactionThreshold = settings.CompactionThreshold,
            McpCredentials = settings.McpCredentials ?? VaultCredentials.Create(store, cipher, time, allowPrivate),
            SandboxSecrets = new VaultSandboxSecrets(store, cipher),
            OutputLimits = settings.OutputLimits ?? new(),
            OpenResourceToken = (sessionId, resourceId, stored) => ResourceTokens.Open(cipher, sessionId, resourceId, stored),
            AllowPrivateEgress = allowPrivate,
            Time = time,
        };
        if (settings.TakeoverHeadroom is { } headroom)
        {
            options = options with { TakeoverHeadroom = headroom };
        }
        return new HarnessHost(new WorkerPool(store, options, loggers), owned, sweeper);
    }

    /// <summary>
    /// Where sandboxes keep state when the operator names no <c>--state-dir</c>. Never the shared temporary
    /// directory: a root process trusting a path another local user can pre-create would run their runner.
    /// SQLite: the data directory (the operator's own); otherwise, and when sandbox uids could not traverse
    /// the data directory (/root is 0700), <see cref="PrivateStateDirectory"/>.
    /// </summary>
    private static string DefaultRoot(StoreOptions store)
    {
        if (store.ConnectionString is null && store.DataDirectory is { } data && TraversableByOthers(data))
        {
            return data;
        }
        return PrivateStateDirectory();
    }

    /// <summary><c>/var/lib/hangar</c> for root; a per-user directory (<c>~/.local/share/hangar</c>) otherwise.</summary>
    public static string PrivateStateDirectory() =>
        Environment.IsPrivilegedProcess
            ? "/var/lib/hangar"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "hangar");

    private static bool TraversableByOthers(string path)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(path)).Parent; directory is not null; directory = directory.Parent)
        {
            if (directory.Exists && !directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>A process's workers and what they own (sandbox provider, egress proxy); disposing stops them in order.</summary>
public sealed class HarnessHost : IAsyncDisposable
{
    private readonly WorkerPool pool;
    private readonly IReadOnlyList<IAsyncDisposable> owned;
    private readonly SandboxSweeper? sweeper;

    internal HarnessHost(WorkerPool pool, IReadOnlyList<IAsyncDisposable> owned, SandboxSweeper? sweeper)
    {
        this.pool = pool;
        this.owned = owned;
        this.sweeper = sweeper;
    }

    public WorkerPool Pool => pool;

    public void Start()
    {
        pool.Start();
        sweeper?.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await pool.DisposeAsync();
        foreach (var resource in owned)
        {
            await resource.DisposeAsync();
        }
    }
}

/// <summary>Runs the workers with the web host: started after the server, stopped (leases released) before the store closes.</summary>
internal sealed class HarnessHostService(HarnessHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        host.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => host.DisposeAsync().AsTask();
}
