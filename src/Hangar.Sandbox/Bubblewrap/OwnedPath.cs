using System.Runtime.InteropServices;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Checks on the paths a root process trusts in the sandbox state directory. A local user who could pre-create
/// the state directory, or plant a symlink in it, could swap the file-tool runner, a session's uid file or a
/// socket and have root run or follow them. So every directory Hangar keeps state in must be owned by this
/// process's user, must not be a symlink, and must not be writable by anyone else; every directory above the
/// state root must be owned by root or this user and not writable by others (unless sticky, like /tmp).
/// Checks use <c>statx(AT_SYMLINK_NOFOLLOW)</c>, so a symlink is seen as itself, never as its target.
/// </summary>
internal static class OwnedPath
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeSymlink = 0xA000;
    private const int TypeRegular = 0x8000;
    private const int Sticky = 0x200;
    private const int GroupOrOtherWrite = 0x12; // 0022

    /// <summary>
    /// The state root: its ancestors are checked, then it is created (or found) as this user's own directory
    /// with <paramref name="mode"/>. Throws <see cref="SandboxUnavailableException"/> naming the path, its owner and the fix.
    /// </summary>
    public static void EnsureRoot(string root, UnixFileMode mode)
    {
        var full = Path.GetFullPath(root);
        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (!Directory.Exists(parent))
                continue;
            // Ancestors may be symlinks (/var/run → /run) as long as what they lead to is safe: follow them.
            var info = Stat(parent, follow: true);
            if (info.Uid != 0 && info.Uid != Native.GetEuid())
                throw Refuse(parent, $"an ancestor of the sandbox state directory {full} is owned by {Owner(info.Uid)}", full);
            if ((info.Mode & GroupOrOtherWrite) != 0 && (info.Mode & Sticky) == 0)
                throw Refuse(parent, $"an ancestor of the sandbox state directory {full} is writable by other users (mode {Convert.ToString(info.Mode & 0xFFF, 8)}, not sticky)", full);
        }
        EnsureDirectory(full, mode);
    }

    /// <summary>Creates <paramref name="path"/> if missing, then proves it is this user's own directory, and sets <paramref name="mode"/>.</summary>
    public static void EnsureDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("sandboxes need Linux");
        if (!Exists(path))
            Directory.CreateDirectory(path, mode);
        var info = Stat(path, follow: false);
        if ((info.Mode & TypeMask) == TypeSymlink)
            throw Refuse(path, $"{path} is a symlink (to {new FileInfo(path).LinkTarget}); Hangar never follows links in its state directory", path);
        if ((info.Mode & TypeMask) != TypeDirectory)
            throw Refuse(path, $"{path} is not a directory", path);
        if (info.Uid != Native.GetEuid())
            throw Refuse(path, $"{path} is owned by {Owner(info.Uid)}, not by this process's user ({Owner(Native.GetEuid())})", path);
        // Ours and not a link: only we can change it from here on, so setting the mode closes any group/other write.
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>The text of a small state file (a session's uid or owner mark), or null when it does not exist; refuses links and foreign files.</summary>
    public static string? ReadOwnedFile(string path)
    {
        if (!Exists(path))
            return null;
        var info = Stat(path, follow: false);
        if ((info.Mode & TypeMask) != TypeRegular || info.Uid != Native.GetEuid())
            throw Refuse(path, $"{path} is not a regular file owned by this process's user (owner {Owner(info.Uid)}, type {Convert.ToString(info.Mode & TypeMask, 8)})", path);
        return File.ReadAllText(path);
    }

    private static bool Exists(string path) => TryStat(path, follow: false, out _);

    private static (uint Uid, int Mode) Stat(string path, bool follow) =>
        TryStat(path, follow, out var info) ? info : throw new IOException($"cannot stat {path} (errno {Marshal.GetLastPInvokeError()})");

    private static bool TryStat(string path, bool follow, out (uint Uid, int Mode) info)
    {
        // struct statx is the same on every architecture: stx_uid at byte 20, stx_mode at byte 28.
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            info = default;
            return false;
        }
        info = (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt16(buffer, 28));
        return true;
    }

    private static string Owner(uint uid) => uid == 0 ? "root (uid 0)" : $"uid {uid}";

    private static SandboxUnavailableException Refuse(string path, string problem, string stateDirectory) =>
        new($"refusing to use the sandbox state directory: {problem}. Another local user could swap the file-tool runner, a uid file "
            + $"or a socket that root trusts. Fix: remove {path} (after checking who made it) or choose another --state-dir "
            + $"(HANGAR_STATE_DIR), a directory owned by this user, not a symlink, under directories only root can write (default /var/lib/hangar). Checked: {stateDirectory}");

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
