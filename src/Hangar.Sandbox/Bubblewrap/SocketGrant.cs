using System.Runtime.InteropServices;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Grants one unprivileged uid a host socket or directory explicitly, instead of making it world-accessible:
/// chown to that uid and mode 0600/0700 (root keeps access through its capabilities). Chown, not a POSIX ACL:
/// it needs no acl support in the filesystem or the acl tools, and the grant is visible in <c>ls -l</c>.
/// </summary>
internal static class SocketGrant
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode 0600, owned by <paramref name="uid"/> when given (else by this process's user).</summary>
    public static void Restrict(string path, int? uid) => Grant(path, uid, OwnerReadWrite);

    /// <summary>Mode 0700 on a directory, owned by <paramref name="uid"/> when given.</summary>
    public static void RestrictDirectory(string path, int? uid) =>
        Grant(path, uid, OwnerReadWrite | UnixFileMode.UserExecute);

    private static void Grant(string path, int? uid, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("sandboxes need Linux");
        // Mode first: between the two calls the path is owner-only for root, never open to everyone.
        File.SetUnixFileMode(path, mode);
        if (uid is { } owner && Native.LChown(path, (uint)owner, (uint)owner) != 0)
            throw new IOException($"chown {path} to uid {owner} failed (errno {Marshal.GetLastPInvokeError()}); the server must run as root");
    }
}
