using System.Runtime.InteropServices;

namespace Hangar.Vault;

/// <summary>
/// The checks on a generated master key file and its directory. Whoever can replace or read the file can read
/// every secret in the store, so Hangar refuses a key file that is a symlink, is not a regular file, is owned by
/// another user or is readable by group or others, and a directory that another user owns or can write (they could
/// swap the file). Uses <c>statx(AT_SYMLINK_NOFOLLOW)</c>, so a symlink is judged as itself, never as its target.
/// (The sandbox state directory has its own, stricter checks in Hangar.Sandbox; this layer cannot reference it.)
/// </summary>
internal static class PrivateKeyPath
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymlink = 0xA000;
    private const int GroupOrOtherAny = 0x3F; // 0077
    private const int GroupOrOtherWrite = 0x12; // 0022

    /// <summary>Throws <see cref="VaultKeyException"/> naming the problem and the fix unless <paramref name="directory"/> is safe to keep a key in.</summary>
    public static void CheckDirectory(string directory)
    {
        var (uid, mode) = Stat(directory) ?? throw new VaultKeyException($"The master key directory {directory} does not exist.");
        if ((mode & TypeMask) == TypeSymlink)
            throw Refuse(directory, $"{directory} is a symlink");
        if ((mode & TypeMask) != TypeDirectory)
            throw Refuse(directory, $"{directory} is not a directory");
        if (uid != GetEuid() && uid != 0)
            throw Refuse(directory, $"{directory} is owned by uid {uid}, not by this process's user (uid {GetEuid()})");
        if ((mode & GroupOrOtherWrite) != 0)
            throw Refuse(directory, $"{directory} is writable by other users (mode {Octal(mode)})");
    }

    /// <summary>Whether the key file exists; throws <see cref="VaultKeyException"/> when it exists but is unsafe.</summary>
    public static bool CheckFile(string path)
    {
        if (Stat(path) is not { } info)
            return false;
        var (uid, mode) = info;
        if ((mode & TypeMask) == TypeSymlink)
            throw Refuse(path, $"{path} is a symlink (to {new FileInfo(path).LinkTarget})");
        if ((mode & TypeMask) != TypeRegular)
            throw Refuse(path, $"{path} is not a regular file");
        if (uid != GetEuid())
            throw Refuse(path, $"{path} is owned by uid {uid}, not by this process's user (uid {GetEuid()})");
        if ((mode & GroupOrOtherAny) != 0)
            throw Refuse(path, $"{path} is readable or writable by other users (mode {Octal(mode)}; it must be 0600)");
        return true;
    }

    private static string Octal(int mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    private static VaultKeyException Refuse(string path, string problem) =>
        new($"Refusing to use the master key file: {problem}. Anyone who can read or replace it can read every stored secret. "
            + $"Fix the ownership and mode (chown to this user, chmod 600 {path}; the directory 700), or {SecretCipher.SetKeyHint} instead.");

    private static (uint Uid, int Mode)? Stat(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the generated master key file needs Linux; set HANGAR_MASTER_KEY instead");
        // struct statx is the same on every architecture: stx_uid at byte 20, stx_mode at byte 28.
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) == 0)
            return (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt16(buffer, 28));
        var errno = Marshal.GetLastPInvokeError();
        return errno == 2 // ENOENT
            ? null
            : throw new VaultKeyException($"Cannot inspect the master key path {path} (errno {errno}).");
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
