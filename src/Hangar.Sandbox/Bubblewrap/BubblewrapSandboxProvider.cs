using System.Collections.Concurrent;
using Hangar.Harness.Tools;
using Hangar.Sandbox.Git;
using Hangar.Sandbox.Network;
using Hangar.Sandbox.Packages;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Hands out one <see cref="BubblewrapSandbox"/> per session, created on the first
/// <see cref="AcquireAsync"/> (the harness calls it at the session's first tool call) and cached until
/// <see cref="ReleaseAsync"/> (idle timeout, archive, delete) or disposal. Create it with
/// <see cref="CreateAsync"/>, which proves bwrap works here or throws <see cref="SandboxUnavailableException"/>.
/// </summary>
public sealed partial class BubblewrapSandboxProvider : ISandboxProvider, IAsyncDisposable
{
    private readonly SandboxOptions options;
    private readonly SandboxStore store;
    private readonly CgroupHost cgroups;
    private readonly IEgressProxy? egress;
    private readonly ILogger logger;
    private readonly bool slirpAvailable;
    private readonly PackageLayers layers;
    private readonly EgressProxy? ownedBuildEgress;
    private readonly ConcurrentDictionary<string, Lazy<Task<BubblewrapSandbox>>> sandboxes = new();

    private BubblewrapSandboxProvider(SandboxOptions options, SandboxStore store, CgroupHost cgroups, IEgressProxy? egress, ILogger logger)
    {
        this.options = options;
        this.store = store;
        this.cgroups = cgroups;
        this.egress = egress;
        this.logger = logger;
        slirpAvailable = File.Exists(options.Slirp4netnsPath);
        if (options.UnrestrictedNetwork == UnrestrictedNetwork.UserMode)
        {
            if (slirpAvailable)
                LogUserModeChosen(logger);
            else
                LogNoSlirp(logger, options.Slirp4netnsPath);
        }
        // Layer builds need registry access even when sessions get no proxy: then they get their own.
        if (egress is null)
            ownedBuildEgress = EgressProxy.FromEnvironment(Path.Join(options.DataDirectory, "layers-egress"));
        layers = new PackageLayers(options, store, cgroups, egress ?? ownedBuildEgress!, logger);
    }

    /// <summary>The environment package layers (built on first use, shared by sessions with the same packages).</summary>
    internal PackageLayers Layers => layers;

    /// <summary>Where limits are enforced (cgroup v1/v2) or that they are degraded to rlimits only.</summary>
    public string CgroupDescription => cgroups.Description;

    /// <summary>
    /// Prepares <c>&lt;data&gt;/sandboxes</c>, detects cgroups and runs a trivial sandbox. Without an
    /// <paramref name="egress"/> proxy, <c>limited</c> environments (and <c>unrestricted</c> ones in the default
    /// <see cref="UnrestrictedNetwork.Proxy"/> mode) get no network at all (fail closed).
    /// </summary>
    public static async Task<BubblewrapSandboxProvider> CreateAsync(SandboxOptions options, ILogger logger, IEgressProxy? egress, CancellationToken ct)
    {
        var store = SandboxStore.Prepare(options);
        var cgroups = CgroupHost.Detect();
        if (!cgroups.EnforcesLimits)
            LogDegraded(logger, cgroups.Description);
        await BubblewrapProbe.RunAsync(options, store, cgroups, ct);
        LogReady(logger, store.Root, cgroups.Description);
        return new BubblewrapSandboxProvider(options, store, cgroups, egress, logger);
    }

    public async Task<ISandbox> AcquireAsync(SandboxRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var entry = sandboxes.GetOrAdd(request.SessionId, _ => new Lazy<Task<BubblewrapSandbox>>(() => CreateSandboxAsync(request)));
        try
        {
            return await entry.Value.WaitAsync(ct);
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            sandboxes.TryRemove(new(request.SessionId, entry));
            throw;
        }
    }

    /// <summary>Tears down the session's sandbox (processes, cgroup, proxy); its workspace stays on disk.</summary>
    public async Task ReleaseAsync(string sessionId, CancellationToken ct)
    {
        if (!sandboxes.TryGetValue(sessionId, out var entry))
            return;
        if (entry.IsValueCreated)
        {
            await ((Task)entry.Value).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (entry.Value.IsCompletedSuccessfully)
                await entry.Value.Result.DisposeAsync();
        }
        // Only this entry: a sandbox acquired again meanwhile is not ours to drop.
        sandboxes.TryRemove(new(sessionId, entry));
    }

    /// <summary>Sessions with a workspace on disk (of this provider's <see cref="SandboxOptions.Owner"/>), live or not.</summary>
    public IReadOnlyList<string> SessionsOnDisk() => store.Sessions(options.Owner);

    /// <summary>Whether the session's sandbox is running in this process.</summary>
    public bool IsLive(string sessionId) => sandboxes.ContainsKey(sessionId);

    /// <summary>Deletes the session's workspace for good (session deletion); releases the sandbox first.</summary>
    public async Task DeleteWorkspaceAsync(string sessionId, CancellationToken ct)
    {
        await ReleaseAsync(sessionId, ct);
        var directory = Path.Join(store.Root, sessionId);
        if (store.Sessions(owner: null).Contains(sessionId))
            Directory.Delete(directory, recursive: true);
    }

    private async Task<BubblewrapSandbox> CreateSandboxAsync(SandboxRequest request)
    {
        // First: a package layer that cannot be built fails the acquisition (PackageInstallException)
        // before anything else of the sandbox exists.
        var layer = await layers.GetAsync(PackagesSpec.FromEnvironmentConfig(request.EnvironmentConfig), CancellationToken.None);
        var session = store.Open(request.SessionId);
        SandboxStore.MarkOwner(session, options.Owner);
        session = await SessionMounts.PrepareAsync(session, request.Files,
            (path, reason) => LogMountSkipped(logger, request.SessionId, path, reason), CancellationToken.None);
        var policy = NetworkPolicy.FromEnvironmentConfig(request.EnvironmentConfig);
        var userMode = policy is NetworkPolicy.Unrestricted && options.UnrestrictedNetwork == UnrestrictedNetwork.UserMode;
        EgressEndpoint? proxy = null;
        // Limited, and unrestricted by default: the egress proxy (allow-all-public for unrestricted).
        if (UsesProxy(policy) && egress is not null)
            proxy = await egress.StartAsync(request.SessionId, policy, CancellationToken.None);
        else if (UsesProxy(policy))
            LogNoEgressProxy(logger, request.SessionId, policy.GetType().Name);
        if (userMode && !slirpAvailable)
            LogNoUserModeNetwork(logger, request.SessionId, options.Slirp4netnsPath);
        var cgroup = cgroups.Create(request.SessionId, options.Limits);
        GitCredentialProxy? git = null;
        if (request.Repositories.Count > 0)
        {
            try
            {
                session = RepositoryClone.PrepareMounts(session, request.Repositories);
                git = await GitCredentialProxy.StartAsync(Path.Join(session.Directory, "git.sock"), request.Repositories,
                    options.AllowPrivateEgress, CancellationToken.None);
                await RepositoryClone.CloneAsync(options, store, session, cgroup, git, request.Repositories, CancellationToken.None);
            }
            catch
            {
                if (git is not null)
                    await git.DisposeAsync();
                cgroup.Delete();
                if (UsesProxy(policy) && egress is not null)
                    await egress.StopAsync(request.SessionId, CancellationToken.None);
                throw;
            }
        }
        var sandbox = new BubblewrapSandbox(options, store, session, policy, proxy, userMode && slirpAvailable, layer, cgroup, OnDisposedAsync) { GitProxy = git };
        sandbox.Start();
        LogCreated(logger, request.SessionId, session.Uid, policy.GetType().Name);
        return sandbox;
    }

    private async ValueTask OnDisposedAsync(BubblewrapSandbox sandbox)
    {
        // Disposing a handle (the harness releasing a settled session) ends it here too, but only this one.
        if (sandboxes.TryGetValue(sandbox.SessionId, out var entry) && entry.IsValueCreated
            && entry.Value.IsCompletedSuccessfully && ReferenceEquals(entry.Value.Result, sandbox))
            sandboxes.TryRemove(new(sandbox.SessionId, entry));
        if (UsesProxy(sandbox.Policy) && egress is not null)
            await egress.StopAsync(sandbox.SessionId, CancellationToken.None);
    }

    private bool UsesProxy(NetworkPolicy policy) =>
        policy is NetworkPolicy.Limited
        || (policy is NetworkPolicy.Unrestricted && options.UnrestrictedNetwork == UnrestrictedNetwork.Proxy);

    public async ValueTask DisposeAsync()
    {
        foreach (var sessionId in sandboxes.Keys.ToList())
            await ReleaseAsync(sessionId, CancellationToken.None);
        if (ownedBuildEgress is not null)
            await ownedBuildEgress.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox limits degraded: {Description}. Memory, CPU and process limits are not enforced.")]
    private static partial void LogDegraded(ILogger logger, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bubblewrap sandboxes ready in {Root}; limits via {Cgroups}")]
    private static partial void LogReady(ILogger logger, string root, string cgroups);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox for session {SessionId} started (host uid {Uid}, network {Policy})")]
    private static partial void LogCreated(ILogger logger, string sessionId, int uid, string policy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HANGAR_UNRESTRICTED_NETWORK=usermode: unrestricted sandboxes use slirp4netns and can reach the host's non-loopback addresses, its LAN and cloud metadata (docs/sandbox.md)")]
    private static partial void LogUserModeChosen(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: no egress proxy configured, so its {Policy} sandbox has no network")]
    private static partial void LogNoEgressProxy(ILogger logger, string sessionId, string policy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} is missing: with HANGAR_UNRESTRICTED_NETWORK=usermode, sandboxes with unrestricted networking get NO network until slirp4netns is installed (apt-get install -y slirp4netns)")]
    private static partial void LogNoSlirp(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: unrestricted networking needs {Path} (apt-get install -y slirp4netns); the sandbox has no network")]
    private static partial void LogNoUserModeNetwork(ILogger logger, string sessionId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: file resource not mounted at {MountPath}: {Reason}")]
    private static partial void LogMountSkipped(ILogger logger, string sessionId, string mountPath, string reason);
}
