using System.Diagnostics;
using System.Globalization;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// The hard per-session disk quota: a sparse ext4 image <c>&lt;sandboxes&gt;/.disks/&lt;id&gt;.ext4</c> of
/// <see cref="SandboxLimits.DiskBytes"/>, loop-mounted on the session's directory, so the workspace, outputs,
/// cloned repositories and everything else the sandbox can write on the host share one filesystem that answers
/// ENOSPC at the cap (/tmp is a size-limited tmpfs, charged to memory). The image costs only what is written
/// (mounted with <c>discard</c>: deleted files give their space back to the host) and outlives every instance;
/// it stays mounted while the session exists and this process runs (an archived session's files stay readable
/// at their host path), is unmounted when the session is deleted, at graceful shutdown (<see cref="UnmountIdle"/>)
/// and, after a crash, at the next start-up (<see cref="SweepStale"/>).
/// <para>
/// Instances using a mount hold a shared flock on <c>&lt;id&gt;.use</c>; a mount is unmounted only when an
/// exclusive lock on it succeeds (no instance of any process uses it). Mounting and unmounting happen under an exclusive flock on <c>&lt;id&gt;.mount</c>, so two
/// instances of one session (a handoff between workers on this host) never mount it twice or unmount it under
/// each other. Needs root and loop devices; <see cref="TryCreate"/> says why not otherwise.
/// </para>
/// </summary>
internal sealed class SessionDisks
{
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(30);
    private readonly string sandboxes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> attached = new(StringComparer.Ordinal);

    private SessionDisks(string sandboxes, long bytes)
    {
        this.sandboxes = sandboxes;
        Bytes = bytes;
    }

    public long Bytes { get; }

    /// <summary>Where the images, the uid mirrors and the locks live (root only, 0700).</summary>
    public string Directory => Path.Join(sandboxes, ".disks");

    /// <summary>
    /// Disks for the sessions under <paramref name="sandboxes"/>, after proving a small image really mounts here;
    /// null with the <paramref name="unavailable"/> reason (not root, no loop devices, no mkfs.ext4, a container
    /// that refuses mount) when sessions must fall back to the measured workspace check.
    /// </summary>
    public static SessionDisks? TryCreate(string sandboxes, long bytes, out string? unavailable)
    {
        unavailable = bytes <= 0 ? "the disk quota is off (DiskBytes <= 0)"
            : Native.GetEuid() != 0 ? "loop-mounting a disk image needs root"
            : !File.Exists("/dev/loop-control") ? "/dev/loop-control is missing (no loop devices in this container?)"
            : Mkfs is null ? "mkfs.ext4 is missing (apt-get install -y e2fsprogs)"
            : null;
        if (unavailable is not null)
            return null;
        var disks = new SessionDisks(sandboxes, bytes);
        SweepOrphans();
        OwnedPath.EnsureDirectory(disks.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var probe = Path.Join(disks.Directory, ".probe");
        var image = probe + ".ext4";
        try
        {
            System.IO.Directory.CreateDirectory(probe);
            if (MountTable.IsMountPoint(probe))
                Unmount(probe);
            CreateImage(image, 16L << 20);
            Mount(image, probe);
            Unmount(probe);
            return disks;
        }
        catch (IOException e)
        {
            unavailable = e.Message;
            return null;
        }
        finally
        {
            File.Delete(image);
        }
    }

    /// <summary>
    /// Mounts the session's disk on <paramref name="sessionDirectory"/> (creating the image on first use) and
    /// holds it until the returned lease is disposed. Null for a session made before quotas (its directory has
    /// content but no image): it keeps the measured check rather than hiding its files under an empty disk.
    /// </summary>
    public SessionDisk? Attach(string sessionId, string sessionDirectory)
    {
        var use = Lock(UseLock(sessionId), exclusive: false);
        try
        {
            using (Lock(MountLock(sessionId), exclusive: true))
            {
                if (!MountTable.IsMountPoint(sessionDirectory))
                {
                    var image = Image(sessionId);
                    if (!File.Exists(image))
                    {
                        if (System.IO.Directory.EnumerateFileSystemEntries(sessionDirectory).Any())
                        {
                            use.Dispose();
                            return null;
                        }
                        CreateImage(image, Bytes);
                    }
                    Mount(image, sessionDirectory);
                }
            }
            attached[sessionId] = sessionDirectory;
            return new SessionDisk(this, sessionId, sessionDirectory, use);
        }
        catch
        {
            use.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Graceful shutdown: unmounts the disks this process mounted that no instance (of any process) uses now, so
    /// a stopped server leaves no mounts behind. The next acquisition mounts them again.
    /// </summary>
    public void UnmountIdle()
    {
        foreach (var (sessionId, sessionDirectory) in attached)
        {
            using var mount = HostFileLock.TryLock(MountLock(sessionId), exclusive: true);
            using var unused = mount is null ? null : HostFileLock.TryLock(UseLock(sessionId), exclusive: true);
            if (unused is null)
                continue;
            if (MountTable.IsMountPoint(sessionDirectory))
                Unmount(sessionDirectory);
            attached.TryRemove(sessionId, out _);
        }
    }

    /// <summary>The session is deleted: unmount (lazily if a straggler still holds it) and remove its image and uid mirror.</summary>
    public void Destroy(string sessionId, string sessionDirectory)
    {
        using (Lock(MountLock(sessionId), exclusive: true))
        {
            attached.TryRemove(sessionId, out _);
            if (MountTable.IsMountPoint(sessionDirectory))
                Unmount(sessionDirectory);
            File.Delete(Image(sessionId));
            File.Delete(UidMirror(sessionId));
            File.Delete(OwnerMirror(sessionId));
        }
    }

    /// <summary>
    /// Start-up: unmounts the session disks under our root that no instance on this host uses (left by a crash, or
    /// by a process that never released them). Mounts some live instance holds are left alone.
    /// </summary>
    public int SweepStale()
    {
        var swept = 0;
        foreach (var mountPoint in MountTable.MountPointsUnder(sandboxes))
        {
            var sessionId = Path.GetFileName(mountPoint);
            if (Path.GetDirectoryName(mountPoint) != sandboxes || sessionId.StartsWith('.'))
                continue;
            using var mount = HostFileLock.TryLock(MountLock(sessionId), exclusive: true);
            using var unused = mount is null ? null : HostFileLock.TryLock(UseLock(sessionId), exclusive: true);
            if (unused is null)
                continue;
            Unmount(mountPoint);
            swept++;
        }
        return swept;
    }

    /// <summary>
    /// Start-up, host-wide: unmounts session disks whose image was deleted (a data directory removed while a killed
    /// server still had them mounted). Nobody can need them any more; without this they would hold a loop device
    /// and the deleted image's space until reboot.
    /// </summary>
    public static int SweepOrphans()
    {
        const string deleted = " (deleted)";
        var swept = 0;
        foreach (var (mountPoint, backing) in MountTable.LoopMounts())
        {
            var image = backing.EndsWith(deleted, StringComparison.Ordinal) ? backing[..^deleted.Length] : backing;
            if (!image.Contains("/sandboxes/.disks/", StringComparison.Ordinal) || !image.EndsWith(".ext4", StringComparison.Ordinal) || File.Exists(image))
                continue;
            try
            {
                Run("/usr/bin/umount", "-l", mountPoint);
                swept++;
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return swept;
    }

    /// <summary>A copy of the session's uid outside its disk: uid allocation must see it while the disk is not mounted.</summary>
    public string UidMirror(string sessionId) => Path.Join(Directory, sessionId + ".uid");

    /// <summary>A copy of the session's store mark (<see cref="SandboxStore.MarkOwner"/>) outside its disk.</summary>
    public string OwnerMirror(string sessionId) => Path.Join(Directory, sessionId + ".owner");

    /// <summary>The uids of every session with a disk, mounted or not.</summary>
    public IEnumerable<string> UidMirrors() => System.IO.Directory.EnumerateFiles(Directory, "*.uid");

    private string Image(string sessionId) => Path.Join(Directory, sessionId + ".ext4");

    private string UseLock(string sessionId) => Path.Join(Directory, sessionId + ".use");

    private string MountLock(string sessionId) => Path.Join(Directory, sessionId + ".mount");

    private static string? Mkfs => new[] { "/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4" }.FirstOrDefault(File.Exists);

    /// <summary>
    /// Made under a temporary name and renamed when mkfs is done: a crash in between never leaves an image that
    /// exists but cannot mount (which would fail the session's every acquisition).
    /// </summary>
    private static void CreateImage(string image, long bytes)
    {
        var partial = image + ".new";
        using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write))
            file.SetLength(bytes); // sparse: no block is allocated until the sandbox writes
        // Lazy init keeps the image sparse (see noinit_itable). A few MiB are reserved for root: the host must still
        // write the session's owner record and sockets on a disk the sandbox filled, or the session could never
        // start again to delete files.
        var reserve = Math.Clamp(8.0 * 1024 * 1024 / bytes * 100, 0.01, 5.0).ToString("0.###", CultureInfo.InvariantCulture);
        Run(Mkfs!, "-q", "-F", "-m", reserve, "-E", "lazy_itable_init=1,lazy_journal_init=1,root_owner=0:0", partial);
        File.Move(partial, image, overwrite: true);
    }

    // noinit_itable: no background zeroing of inode tables (it would write ~1.5% of the image for nothing);
    // discard: blocks freed in the disk are punched out of the image. nodev/nosuid like every sandbox mount.
    private static void Mount(string image, string directory) =>
        Run("/usr/bin/mount", "-t", "ext4", "-o", "loop,nodev,nosuid,discard,noinit_itable", image, directory);

    private static void Unmount(string directory)
    {
        try
        {
            Run("/usr/bin/umount", directory);
        }
        catch (IOException)
        {
            // Busy (a straggler's open file): detach now, the kernel frees it with its last user.
            Run("/usr/bin/umount", "-l", directory);
        }
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new IOException($"could not start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed (exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {stderr.Result.Trim()}");
    }

    private static FileStream Lock(string path, bool exclusive)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (HostFileLock.TryLock(path, exclusive) is { } held)
                return held;
            if (clock.Elapsed > LockPatience)
                throw new IOException($"timed out waiting for {path}");
            Thread.Sleep(LockPoll);
        }
    }
}

/// <summary>One instance's hold on its session's mounted disk: while any is held, nothing unmounts the disk.</summary>
internal sealed class SessionDisk(SessionDisks disks, string sessionId, string sessionDirectory, FileStream use) : IDisposable
{
    /// <summary>The configured quota (the filesystem itself is a little smaller: ext4's metadata).</summary>
    public long QuotaBytes => disks.Bytes;

    /// <summary>The session whose disk this is.</summary>
    public string SessionId => sessionId;

    /// <summary>The host directory the disk is mounted on (statvfs of it measures the disk).</summary>
    public string MountPoint => sessionDirectory;

    public void Dispose() => use.Dispose();
}
