using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// Makes a finished layer root-owned and world-readable, without set-id bits, before it is published.
/// Build uids thus cannot change a layer later, and a setuid binary from a .deb is inert on the host
/// (sandboxes mount nosuid anyway). Never follows symlinks: their targets are untrusted paths.
/// </summary>
internal static class LayerSeal
{
    public static void Apply(string directory)
    {
        Seal(directory, isDirectory: true);
        // An explicit walk: recurse into real directories only, never through a symlink.
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
                Native.LChown(entry, 0, 0);
            else if ((info.Attributes & FileAttributes.Directory) != 0)
                Apply(entry);
            else
                Seal(entry, isDirectory: false);
        }
    }

    public static void Chmod(string path, string octal)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("package layers need Linux");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
    }

    private static void Seal(string path, bool isDirectory)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("package layers need Linux");
        Native.LChown(path, 0, 0);
        var mode = File.GetUnixFileMode(path) & ~(UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit)
            & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        mode |= UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (isDirectory || (mode & UnixFileMode.UserExecute) != 0)
            mode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(path, mode);
    }
}
