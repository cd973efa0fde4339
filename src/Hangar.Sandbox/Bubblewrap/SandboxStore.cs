using System.Globalization;
using System.Text.RegularExpressions;
using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>One session's host-side state: its directory, workspace and unprivileged host uid.</summary>
internal sealed record SessionLayout(string SessionId, string Directory, string Workspace, int Uid)
{
    /// <summary>The session's quota disk mounted on <see cref="Directory"/>, held by this instance; null: no hard quota.</summary>
    public SessionDisk? Disk { get; init; }

    /// <summary>Extra binds after /workspace: the session's file resources (ro) and outputs directory (rw).</summary>
    public IReadOnlyList<BindMount> Mounts { get; init; } = [];
}

/// <summary>A host path bound into the sandbox at <paramref name="Target"/>.</summary>
internal sealed record BindMount(string Source, string Target, bool ReadOnly);

/// <summary>
/// <c>&lt;data&gt;/sandboxes</c>: per session <c>&lt;id&gt;/workspace</c> (owned by the session uid, mode
/// 0700, kept across sandbox rebuilds and server restarts) and <c>&lt;id&gt;/uid</c>; shared, read-only
/// inputs in <c>.shared/</c> (the sandbox's /etc/passwd, group, hosts, resolv.conf and the file-tool runner).
/// </summary>
internal sealed partial class SandboxStore
{
    public const string RunnerDll = "Hangar.Sandbox.ToolRunner.dll";

    /// <summary>The directory the startup probe runs in; not a session.</summary>
    public const string ProbeSession = "probe";

    private const UnixFileMode Traverse = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable = Traverse | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly SandboxOptions options;
    private readonly Lock uidLock = new();

    private SandboxStore(SandboxOptions options, string root)
    {
        this.options = options;
        Root = root;
    }

    public string Root { get; }

    public string Shared => Path.Join(Root, ".shared");

    public string RunnerDirectory => Path.Join(Shared, "runner");

    /// <summary>Per-session quota disks; null when this host cannot loop-mount them (<see cref="DiskUnavailable"/> says why).</summary>
    public SessionDisks? Disks { get; private set; }

    public string? DiskUnavailable { get; private set; }

    /// <summary>Session disks left mounted by a crash and unmounted at start-up.</summary>
    public int StaleDisksSwept { get; private set; }

    /// <summary>The compiled syscall filter (<see cref="SeccompFilter"/>) every sandbox's launcher opens for bwrap's <c>--seccomp</c>.</summary>
    public string SeccompFile => Path.Join(Shared, "seccomp.bpf");

    public static SandboxStore Prepare(SandboxOptions options)
    {
        var root = Path.GetFullPath(Path.Join(options.DataDirectory, "sandboxes"));
        var store = new SandboxStore(options, root);
        // Traversable but not listable (0711, not 0700: bwrap opens the bind sources as the session uid, which
        // must pass through): a session uid can reach its own bind source and nothing else. Every directory is
        // proven ours and not a symlink before root writes or reads anything in it (OwnedPath).
        OwnedPath.EnsureRoot(options.DataDirectory, Traverse);
        OwnedPath.EnsureDirectory(root, Traverse);
        OwnedPath.EnsureDirectory(store.Shared, Traverse);
        OwnedPath.EnsureDirectory(store.RunnerDirectory, Readable);
        WriteShared(Path.Join(store.Shared, "passwd"),
            "root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:1000:1000:sandbox:/workspace:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        byte[] filter;
        try
        {
            filter = SeccompFilter.ForCurrentArchitecture();
        }
        catch (PlatformNotSupportedException e)
        {
            throw new SandboxUnavailableException(e.Message);
        }
        File.WriteAllBytes(store.SeccompFile, filter);
        Chmod(store.SeccompFile, "644");
        WriteShared(Path.Join(store.Shared, "group"), "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n");
        WriteShared(Path.Join(store.Shared, "hosts"), "127.0.0.1 localhost sandbox\n::1 localhost\n");
        // unrestricted sandboxes resolve through slirp4netns's DNS forwarder, never the host's resolv.conf.
        WriteShared(Path.Join(store.Shared, "resolv.conf"), $"nameserver {SlirpNetwork.Dns}\n");
        var runner = Path.Join(AppContext.BaseDirectory, RunnerDll);
        if (!File.Exists(runner))
            runner = Path.Join(Path.GetDirectoryName(typeof(SandboxStore).Assembly.Location)!, RunnerDll);
        if (!File.Exists(runner))
            throw new SandboxUnavailableException($"the sandbox file-tool runner {RunnerDll} is missing next to the application (build Hangar.Sandbox.ToolRunner)");
        // The runner's one dependency (BCL-only): the very Hangar.Tools this process runs, so both sides agree.
        foreach (var file in new[] { runner, typeof(FileTools).Assembly.Location })
        {
            var copy = Path.Join(store.RunnerDirectory, Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            Chmod(copy, "644");
        }
        var version = Environment.Version;
        WriteShared(Path.Join(store.RunnerDirectory, "Hangar.Sandbox.ToolRunner.runtimeconfig.json"),
            new System.Text.Json.Nodes.JsonObject
            {
                ["runtimeOptions"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["tfm"] = $"net{version.Major}.0",
                    ["framework"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "Microsoft.NETCore.App", ["version"] = $"{version.Major}.{version.Minor}.0" },
                    ["configProperties"] = new System.Text.Json.Nodes.JsonObject { ["System.Globalization.Invariant"] = true },
                },
            }.ToJsonString());
        store.Disks = SessionDisks.TryCreate(root, options.Limits.DiskBytes, out var unavailable);
        store.DiskUnavailable = unavailable;
        store.StaleDisksSwept = store.Disks?.SweepStale() ?? 0;
        return store;
    }

    /// <summary>
    /// The session's layout, creating its directory, uid and workspace on first use. With
    /// <paramref name="withDisk"/> (a session's sandbox, not a probe or layer build) its quota disk is mounted
    /// first, before its uid file (which lives on it) is read; the caller disposes the layout's disk.
    /// </summary>
    public SessionLayout Open(string sessionId, bool withDisk = false)
    {
        // The id becomes a directory name: anything but a plain id could escape the root.
        if (!SafeId().IsMatch(sessionId))
            throw new ArgumentException($"session id '{sessionId}' is not usable as a directory name", nameof(sessionId));
        var directory = Path.Join(Root, sessionId);
        var workspace = Path.Join(directory, "workspace");
        int uid;
        SessionDisk? disk = null;
        try
        {
            OwnedPath.EnsureDirectory(directory, Traverse);
            // Outside the uid lock: mounting may wait for another instance's unmount; SessionDisks locks per session.
            if (withDisk && Disks is not null)
            {
                disk = Disks.Attach(sessionId, directory);
                OwnedPath.EnsureDirectory(directory, Traverse); // the disk's root replaces the directory: ours, 0711 again
            }
            lock (uidLock)
            {
                var uidFile = Path.Join(directory, "uid");
                if (!int.TryParse(OwnedPath.ReadOwnedFile(uidFile), CultureInfo.InvariantCulture, out uid))
                    uid = AllocateUid(sessionId, uidFile, disk is not null);
            }
            if (!Directory.Exists(workspace))
            {
                Directory.CreateDirectory(workspace);
                if (Native.LChown(workspace, (uint)uid, (uint)uid) != 0)
                    throw new IOException($"chown {workspace} to {uid} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}); the server must run as root");
                Chmod(workspace, "700");
            }
        }
        catch
        {
            disk?.Dispose();
            throw;
        }
        return new SessionLayout(sessionId, directory, workspace, uid) { Disk = disk };
    }

    /// <summary>Removes the session's directory and its disk for good (session deletion; its sandboxes are gone).</summary>
    public void Delete(string sessionId)
    {
        var directory = Path.Join(Root, sessionId);
        Disks?.Destroy(sessionId, directory);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// Sessions with a directory here. With <paramref name="owner"/>, only those whose directory was made for
    /// that store (a data directory shared by servers of different stores must not lose the others' sessions).
    /// </summary>
    public IReadOnlyList<string> Sessions(string? owner) =>
        [.. Directory.EnumerateDirectories(Root)
            .Where(d => owner is null || ReadOwner(d) == owner)
            .Select(d => Path.GetFileName(d))
            .Where(id => SafeId().IsMatch(id) && id != ProbeSession && !id.StartsWith("layer-build-", StringComparison.Ordinal))];

    /// <summary>Marks the session's directory as belonging to <paramref name="owner"/> (see <see cref="Sessions"/>).</summary>
    public void MarkOwner(SessionLayout session, string? owner)
    {
        if (owner is null)
            return;
        File.WriteAllText(Path.Join(session.Directory, "owner"), owner);
        // Beside the image too: the sweep must find a deleted session's disk while it is not mounted.
        if (session.Disk is not null)
            File.WriteAllText(Disks!.OwnerMirror(session.SessionId), owner);
    }

    private string? ReadOwner(string directory) =>
        TryReadOwned(Path.Join(directory, "owner"))
        ?? (Disks is null ? null : TryReadOwned(Disks.OwnerMirror(Path.GetFileName(directory))));

    /// <summary>
    /// A uid derived from the id's hash, moved past any taken by another session (never shared). Several
    /// processes on one host may share the root: a host-wide lock on <c>.uids.lock</c> makes the
    /// look-and-take one step for all of them, not only for this process's threads.
    /// </summary>
    private int AllocateUid(string sessionId, string uidFile, bool onDisk)
    {
        using var hostLock = HostFileLock.Acquire(Path.Join(Root, ".uids.lock"));
        // Another process may have opened this session meanwhile: its uid stands.
        if (int.TryParse(OwnedPath.ReadOwnedFile(uidFile), CultureInfo.InvariantCulture, out var existing))
            return existing;
        // A suspicious uid file elsewhere (a link, a foreign file) fails only its own session, not every allocation.
        // Sessions whose disk is not mounted now show no uid file: their mirrors (beside the images) do.
        var taken = Directory.EnumerateDirectories(Root)
            .Select(d => TryReadOwned(Path.Join(d, "uid")))
            .Concat(Disks?.UidMirrors().Select(TryReadOwned) ?? [])
            .Select(text => int.TryParse(text, CultureInfo.InvariantCulture, out var u) ? u : -1)
            .ToHashSet();
        var hash = 2166136261u;
        foreach (var c in sessionId)
            hash = (hash ^ c) * 16777619u;
        var slot = (int)(hash % (uint)options.SessionUidCount);
        for (var i = 0; i < options.SessionUidCount; i++)
        {
            var candidate = options.FirstSessionUid + (slot + i) % options.SessionUidCount;
            if (!taken.Contains(candidate))
            {
                // Written under the lock, so the next allocation (of any process) sees it taken.
                File.WriteAllText(uidFile, candidate.ToString(CultureInfo.InvariantCulture));
                if (onDisk)
                    File.WriteAllText(Disks!.UidMirror(sessionId), candidate.ToString(CultureInfo.InvariantCulture));
                return candidate;
            }
        }
        throw new InvalidOperationException("no free session uid");
    }

    private static string? TryReadOwned(string path)
    {
        try
        {
            return OwnedPath.ReadOwnedFile(path);
        }
        catch (SandboxUnavailableException)
        {
            return null;
        }
    }

    private static void WriteShared(string path, string text)
    {
        File.WriteAllText(path, text);
        Chmod(path, "644");
    }

    private static void Chmod(string path, string octal)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("bubblewrap sandboxes need Linux");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex SafeId();
}
