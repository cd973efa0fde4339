using System.Collections.Concurrent;
using Hangar.Sandbox.Git;
using Hangar.Sandbox.Network;
using Hangar.Sandbox.Packages;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Builds a new <see cref="BubblewrapSandbox"/> at each <see cref="AcquireAsync"/> (the harness calls it at a
/// session's first tool call under its lease and keeps the instance while it holds the lease). Every
/// instance's host resources are its own (<see cref="SandboxInstance"/>); the session's workspace is shared by
/// its instances on this host and handed over explicitly (<see cref="WorkspaceOwnership"/>), so the provider
/// of another worker on the same host, or a stale instance of this one, never touches a newer owner's
/// sandbox. Create it with <see cref="CreateAsync"/>, which proves bwrap works here or throws
/// <see cref="SandboxUnavailableException"/>.
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
    private readonly ConcurrentDictionary<BubblewrapSandbox, byte> live = new();

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
            ownedBuildEgress = new EgressProxy(new EgressProxyOptions { SocketDirectory = Path.Join(options.DataDirectory, "layers-egress"), AllowPrivateEgress = options.AllowPrivateEgress });
        layers = new PackageLayers(options, store, cgroups, egress ?? ownedBuildEgress!, logger);
        layers.Collect();
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
        var cgroups = CgroupHost.Detect();
        RefuseUncappedMemory(options, cgroups);
        var store = SandboxStore.Prepare(options);
        if (!cgroups.EnforcesLimits)
            LogDegraded(logger, cgroups.Description);
        if (store.Disks is not null)
            LogDiskQuota(logger, store.Disks.Bytes, store.StaleDisksSwept);
        else
            LogNoDiskQuota(logger, store.DiskUnavailable ?? "unknown", options.Limits.WorkspaceBytes);
        await BubblewrapProbe.RunAsync(options, store, cgroups, ct);
        LogReady(logger, store.Root, cgroups.Description);
        return new BubblewrapSandboxProvider(options, store, cgroups, egress, logger);
    }

    /// <summary>
    /// A sandbox whose memory is not capped can take the host down with one allocation loop: without the
    /// operator's explicit opt-in, such a host refuses to start sandboxes at all.
    /// </summary>
    internal static void RefuseUncappedMemory(SandboxOptions options, CgroupHost cgroups)
    {
        if (options.AllowUnlimitedMemory)
            return;
        if (options.Limits.MemoryBytes <= 0)
            throw new SandboxUnavailableException(
                "the sandbox memory limit is off (MemoryBytes <= 0), so one session could exhaust the host's memory. "
                + "Set a memory limit, or start with --allow-unlimited-memory (HANGAR_ALLOW_UNLIMITED_MEMORY=true) to accept that risk");
        if (!cgroups.EnforcesLimits)
            throw new SandboxUnavailableException(
                $"sandbox memory cannot be capped on this host: cgroups {cgroups.Description}. "
                + "Run Hangar where it can create cgroups (root with cgroup v1 memory/pids/cpu, or a delegated cgroup v2 subtree, e.g. a systemd service with Delegate=yes), "
                + "or start with --allow-unlimited-memory (HANGAR_ALLOW_UNLIMITED_MEMORY=true) to run sandboxes without memory, CPU and process limits");
    }

    public async Task<ISandbox> AcquireAsync(SandboxRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var sandbox = await CreateSandboxAsync(request);
        live[sandbox] = 0;
        return sandbox;
    }

    /// <summary>
    /// Tears down this provider's sandboxes of the session (processes, cgroup, proxy); its workspace stays on
    /// disk. For the sweeper (archived or deleted sessions); the harness disposes the instances it holds.
    /// </summary>
    public async Task ReleaseAsync(string sessionId, CancellationToken ct)
    {
        foreach (var sandbox in live.Keys.Where(s => s.SessionId == sessionId).ToList())
            await sandbox.DisposeAsync();
    }

    /// <summary>Sessions with a workspace on disk (of this provider's <see cref="SandboxOptions.Owner"/>), live or not.</summary>
    public IReadOnlyList<string> SessionsOnDisk() => store.Sessions(options.Owner);

    /// <summary>Whether the session's sandbox is running in this process.</summary>
    public bool IsLive(string sessionId) => live.Keys.Any(s => s.SessionId == sessionId);

    /// <summary>Deletes the session's workspace for good (session deletion); releases the sandbox first.</summary>
    public async Task DeleteWorkspaceAsync(string sessionId, CancellationToken ct)
    {
        await ReleaseAsync(sessionId, ct);
        if (store.Sessions(owner: null).Contains(sessionId))
            store.Delete(sessionId);
    }

    private async Task<BubblewrapSandbox> CreateSandboxAsync(SandboxRequest request)
    {
        // First: a package layer that cannot be built fails the acquisition (PackageInstallException)
        // before anything else of the sandbox exists.
        var layer = await layers.AcquireAsync(PackagesSpec.FromEnvironmentConfig(request.EnvironmentConfig), CancellationToken.None);
        var name = SandboxInstance.NewName(request.SessionId);
        SessionLayout session;
        ISandboxCgroup cgroup;
        try
        {
            session = store.Open(request.SessionId, withDisk: true);
        }
        catch
        {
            layer?.Dispose();
            throw;
        }
        try
        {
            store.MarkOwner(session, options.Owner);
            cgroup = cgroups.Create(name, options.Limits);
        }
        catch
        {
            session.Disk?.Dispose();
            layer?.Dispose();
            throw;
        }
        // Before anything touches the session's directory: a stale instance's processes must be gone.
        int evicted;
        try
        {
            evicted = WorkspaceOwnership.TakeOver(session, name, request.LeaseEpoch, cgroup);
        }
        catch
        {
            cgroup.Delete();
            session.Disk?.Dispose();
            layer?.Dispose();
            throw;
        }
        if (evicted > 0)
            LogEvicted(logger, request.SessionId, evicted);
        var policy = NetworkPolicy.FromEnvironmentConfig(request.EnvironmentConfig);
        var userMode = policy is NetworkPolicy.Unrestricted && options.UnrestrictedNetwork == UnrestrictedNetwork.UserMode;
        var usesProxy = UsesProxy(policy) && egress is not null;
        EgressEndpoint? proxy = null;
        GitCredentialProxy? git = null;
        try
        {
            session = await SessionMounts.PrepareAsync(session, request.Files,
                (path, reason) => LogMountSkipped(logger, request.SessionId, path, reason), CancellationToken.None);
            // Limited, and unrestricted by default: the egress proxy (allow-all-public for unrestricted).
            if (usesProxy)
                proxy = await egress!.StartAsync(name, policy, session.Uid, request.Secrets, CancellationToken.None);
            else if (UsesProxy(policy))
                LogNoEgressProxy(logger, request.SessionId, policy.GetType().Name);
            if (userMode && !slirpAvailable)
                LogNoUserModeNetwork(logger, request.SessionId, options.Slirp4netnsPath);
            if (request.Repositories.Count > 0)
            {
                session = RepositoryClone.PrepareMounts(session, request.Repositories);
                git = await GitCredentialProxy.StartAsync(Path.Join(session.Directory, $"git-{name[^8..]}.sock"), request.Repositories,
                    options.AllowPrivateEgress, session.Uid, CancellationToken.None);
                await RepositoryClone.CloneAsync(options, store, session, cgroup, git, request.Repositories, CancellationToken.None);
            }
            var environment = request.Secrets.ToDictionary(s => s.Name, s => s.Placeholder, StringComparer.Ordinal);
            // The proxy terminates HTTPS to credential hosts with its own CA: the sandbox must trust it.
            if (proxy?.TrustedCaPem is { } caPem)
            {
                (session, var trust) = SessionMounts.AddTrustBundle(session, caPem);
                foreach (var (variable, path) in trust)
                    environment[variable] = path;
            }
            var sandbox = new BubblewrapSandbox(name, options, store, session, policy, proxy, userMode && slirpAvailable, layer, cgroup, OnDisposedAsync)
            {
                GitProxy = git,
                SecretPlaceholders = environment,
            };
            sandbox.Start();
            LogCreated(logger, request.SessionId, session.Uid, policy.GetType().Name);
            return sandbox;
        }
        catch
        {
            if (git is not null)
                await git.DisposeAsync();
            cgroup.KillAll();
            cgroup.Delete();
            session.Disk?.Dispose();
            layer?.Dispose();
            if (usesProxy)
                await egress!.StopAsync(name, CancellationToken.None);
            throw;
        }
    }

    private async ValueTask OnDisposedAsync(BubblewrapSandbox sandbox)
    {
        live.TryRemove(sandbox, out _);
        if (UsesProxy(sandbox.Policy) && egress is not null)
            await egress.StopAsync(sandbox.Name, CancellationToken.None);
    }

    private bool UsesProxy(NetworkPolicy policy) =>
        policy is NetworkPolicy.Limited
        || (policy is NetworkPolicy.Unrestricted && options.UnrestrictedNetwork == UnrestrictedNetwork.Proxy);

    public async ValueTask DisposeAsync()
    {
        foreach (var sandbox in live.Keys.ToList())
            await sandbox.DisposeAsync();
        store.Disks?.UnmountIdle();
        if (ownedBuildEgress is not null)
            await ownedBuildEgress.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox limits degraded: {Description}. Memory, CPU and process limits are not enforced.")]
    private static partial void LogDegraded(ILogger logger, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox disk quota: a loop-mounted ext4 image of {Bytes} bytes per session (sparse); {Swept} stale mounts cleaned")]
    private static partial void LogDiskQuota(ILogger logger, long bytes, int swept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox disk quota unavailable ({Reason}): falling back to measuring each workspace after every command (limit {WorkspaceBytes} bytes, not a hard cap; outputs and repositories unmeasured). See docs/sandbox.md")]
    private static partial void LogNoDiskQuota(ILogger logger, string reason, long workspaceBytes);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: took its workspace over from a stale sandbox (a worker that lost the lease) and killed its {Count} processes")]
    private static partial void LogEvicted(ILogger logger, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: file resource not mounted at {MountPath}: {Reason}")]
    private static partial void LogMountSkipped(ILogger logger, string sessionId, string mountPath, string reason);
}
