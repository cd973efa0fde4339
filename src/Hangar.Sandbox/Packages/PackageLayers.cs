using System.Collections.Concurrent;
using System.Diagnostics;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// Package layers in <c>&lt;data&gt;/layers/&lt;hash&gt;/</c>, one per distinct packages config, built
/// lazily by the first sandbox that needs one and reused by every later one ("warm"). Concurrent
/// acquirers wait for a single build (one task per hash in this process, an flock'd
/// <c>&lt;hash&gt;.lock</c> across processes). A build happens in <c>.tmp-&lt;hash&gt;-*</c> and is
/// renamed into place after its manifest is written, so a crash or kill mid-build never leaves a
/// directory that counts as built; leftovers are deleted by the next build of that hash. A build may
/// grow to <see cref="SandboxOptions.LayerBytes"/> (<see cref="LayerCap"/>); layers unused for
/// <see cref="SandboxOptions.LayerRetention"/> are collected at start-up and after each build
/// (<see cref="LayerCollector"/>), never one a sandbox holds (<see cref="LayerLease"/>).
/// </summary>
internal sealed partial class PackageLayers(SandboxOptions options, SandboxStore store, CgroupHost cgroups, IEgressProxy egress, ILogger logger)
{
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, Lazy<Task<PackageLayer>>> layers = new(StringComparer.Ordinal);

    private int builds;

    public string Root { get; } = Path.GetFullPath(Path.Join(options.DataDirectory, "layers"));

    /// <summary>Builds started by this process (tests check that warm and concurrent acquisitions share one).</summary>
    public int Builds => Volatile.Read(ref builds);

    /// <summary>Longest any single manager command may run (downloads, compiles).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The layer for <paramref name="spec"/>, building it if needed; null when there are no packages.
    /// <paramref name="ct"/> only stops this caller's wait: the build goes on for the others.
    /// </summary>
    public async Task<PackageLayer?> GetAsync(PackagesSpec spec, CancellationToken ct)
    {
        if (spec.IsEmpty)
            return null;
        var entry = layers.GetOrAdd(spec.Hash, _ => new Lazy<Task<PackageLayer>>(() => Task.Run(() => LoadOrBuildAsync(spec, CancellationToken.None))));
        try
        {
            return await entry.Value.WaitAsync(ct);
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            layers.TryRemove(new(spec.Hash, entry)); // the next acquisition tries again
            throw;
        }
    }

    /// <summary>
    /// The layer for <paramref name="spec"/> (built if needed) held for one sandbox until the lease is disposed;
    /// null when there are no packages. A layer collected between its lookup and the hold is built again.
    /// </summary>
    public async Task<LayerLease?> AcquireAsync(PackagesSpec spec, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await GetAsync(spec, ct) is not { } layer)
                return null;
            if (LayerLease.TryTake(layer, LayerCollector.InUseFile(Root, layer.Hash)) is { } lease)
                return lease;
            layers.TryRemove(spec.Hash, out _);
            if (attempt >= 3)
                throw new IOException($"package layer {spec.Hash} kept disappearing while it was acquired");
        }
    }

    /// <summary>Removes layers unused for longer than the retention (except <paramref name="keep"/>); returns their hashes.</summary>
    public IReadOnlyList<string> Collect(string? keep = null)
    {
        var removed = LayerCollector.Collect(Root, options.LayerRetention, keep, hash => layers.TryRemove(hash, out _));
        foreach (var hash in removed)
            LogCollected(logger, hash, options.LayerRetention.TotalDays);
        return removed;
    }

    /// <summary>The finished layer on disk, or null; a directory without its manifest does not count.</summary>
    public PackageLayer? TryLoad(string hash) => PackageLayer.TryLoad(hash, Path.Join(Root, hash));

    /// <summary>Loads the layer or builds it under the cross-process lock. Cancelling kills the build and leaves no layer.</summary>
    internal async Task<PackageLayer> LoadOrBuildAsync(PackagesSpec spec, CancellationToken ct)
    {
        var hash = spec.Hash;
        if (TryLoad(hash) is { } warm)
            return warm;
        PrepareRoot();
        await using var held = await LockAsync(Path.Join(Root, hash + ".lock"), ct);
        if (TryLoad(hash) is { } builtMeanwhile)
            return builtMeanwhile;
        foreach (var leftover in Directory.EnumerateDirectories(Root, $".tmp-{hash}-*").Append(Path.Join(Root, hash)).Where(Directory.Exists))
            Directory.Delete(leftover, recursive: true);
        Interlocked.Increment(ref builds);
        var temp = Path.Join(Root, $".tmp-{hash}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        LayerSeal.Chmod(temp, "711");
        var clock = Stopwatch.StartNew();
        LogBuilding(logger, hash, Describe(spec));
        using var cap = new LayerCap(options.LayerBytes, [() => [temp], () => BuildHomes(hash)]);
        using var build = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.Watch(build);
        try
        {
            try
            {
                await BuildIntoAsync(spec, temp, build.Token);
            }
            catch (OperationCanceledException) when (cap.Exceeded is not null && !ct.IsCancellationRequested)
            {
                throw cap.Failure(spec);
            }
            if (!cap.Check())
                throw cap.Failure(spec);
            var layer = PackageLayer.Describe(hash, temp);
            layer.WriteManifest(spec, clock.Elapsed);
            LayerSeal.Apply(temp);
            Directory.Move(temp, Path.Join(Root, hash)); // rename(2): the layer appears whole or not at all
        }
        catch (Exception e)
        {
            Directory.Delete(temp, recursive: true);
            LogFailed(logger, hash, e.Message);
            throw;
        }
        LogBuilt(logger, hash, clock.ElapsedMilliseconds);
        Collect(keep: hash);
        return TryLoad(hash) ?? throw new IOException($"package layer {hash} vanished right after it was built");
    }

    private async Task BuildIntoAsync(PackagesSpec spec, string temp, CancellationToken ct)
    {
        LayerBuildSandbox? sandbox = null;
        try
        {
            foreach (var (manager, packages) in spec.Managers) // alphabetical, as the API documents
            {
                if (packages.Count == 0)
                    continue;
                if (manager == "apt")
                {
                    await AptLayerInstaller.InstallAsync(packages, temp, StepTimeout, ct);
                    continue;
                }
                if (!File.Exists(ManagerRecipes.Tool(manager)))
                    throw new PackageInstallException(manager, packages,
                        $"{manager} is not available to sandboxes on this host ({ManagerRecipes.Tool(manager)} is missing; sandboxes see only the host's /usr)");
                sandbox ??= await LayerBuildSandbox.StartAsync(options, store, cgroups, egress, spec.Hash, ct);
                foreach (var command in ManagerRecipes.Commands(manager, packages))
                {
                    var result = await sandbox.RunAsync(manager, command, Path.Join(temp, manager), StepTimeout, ct);
                    if (!result.Succeeded)
                        throw new PackageInstallException(manager, packages, result.Reason($"{manager} install"));
                }
            }
        }
        finally
        {
            if (sandbox is not null)
                await sandbox.DisposeAsync();
        }
    }

    /// <summary>The homes of this layer's build sandboxes (caches, downloads): they count against the cap while it builds.</summary>
    private IEnumerable<string> BuildHomes(string hash) =>
        Directory.Exists(store.Root) ? Directory.EnumerateDirectories(store.Root, $"layer-build-{hash}-*") : [];

    private void PrepareRoot()
    {
        Directory.CreateDirectory(Root);
        // Traversable, not listable: sandboxes bind their layer by path and cannot enumerate others.
        LayerSeal.Chmod(Root, "711");
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX|LOCK_NB) on Unix; the kernel drops it if we crash.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(LockPoll, ct);
            }
        }
    }

    private static string Describe(PackagesSpec spec) =>
        string.Join("; ", spec.Managers.Where(m => m.Packages.Count > 0).Select(m => $"{m.Manager}: {string.Join(' ', m.Packages)}"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Building package layer {Hash} ({Packages})")]
    private static partial void LogBuilding(ILogger logger, string hash, string packages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package layer {Hash} built in {Milliseconds} ms")]
    private static partial void LogBuilt(ILogger logger, string hash, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package layer {Hash} removed: no sandbox used it for {Days} days")]
    private static partial void LogCollected(ILogger logger, string hash, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Package layer {Hash} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string hash, string reason);
}
