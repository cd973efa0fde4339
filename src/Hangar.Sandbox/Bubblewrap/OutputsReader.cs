using System.Runtime.InteropServices;
using Hangar.Tools;
using Microsoft.Win32.SafeHandles;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Reads a session's outputs directory on the host as root, while the sandbox may still be running: every
/// path is opened component by component with <c>openat(O_NOFOLLOW)</c> from the outputs directory, so a
/// symlink planted (or swapped in between listing and opening) anywhere in the path fails to open instead of
/// leading root out of the directory. Non-regular files are skipped; sizes are capped per file and in total.
/// </summary>
internal static class OutputsReader
{
    private const int MaxEntriesScanned = 10_000;

    public static IEnumerable<SandboxOutput> Read(string outputsDirectory, OutputLimits limits)
    {
        if (!Directory.Exists(outputsDirectory))
        {
            yield break;
        }
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // Symlinks are not even listed: skipping them here is what keeps the walk from recursing through one.
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
            ReturnSpecialDirectories = false,
        };
        long total = 0;
        var files = 0;
        foreach (var (relative, skipped) in Candidates(outputsDirectory, options))
        {
            if (skipped is not null)
            {
                yield return new SandboxOutput(relative, null, skipped);
                continue;
            }
            if (files >= limits.MaxFiles)
            {
                yield return new SandboxOutput(relative, null, $"more than {limits.MaxFiles} output files");
                continue;
            }
            var budget = Math.Min(limits.MaxFileBytes, limits.MaxSessionBytes - total);
            var (bytes, reason) = ReadOne(outputsDirectory, relative, budget);
            if (bytes is null)
            {
                var why = reason != TooLarge ? reason!
                    : budget < limits.MaxFileBytes ? $"the session's outputs would exceed {limits.MaxSessionBytes} bytes"
                    : $"larger than {limits.MaxFileBytes} bytes";
                yield return new SandboxOutput(relative, null, why);
                continue;
            }
            files++;
            total += bytes.LongLength;
            yield return new SandboxOutput(relative, bytes);
        }
    }

    private const string TooLarge = "too large";

    /// <summary>The files to read (a FIFO or socket fails or reads empty when opened non-blocking).</summary>
    private static IEnumerable<(string Relative, string? Skipped)> Candidates(string root, EnumerationOptions options)
    {
        var scanned = 0;
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", options))
        {
            if (++scanned > MaxEntriesScanned)
            {
                yield break;
            }
            var relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            if (info is FileInfo)
            {
                yield return (relative, null);
            }
        }
    }

    private static (byte[]? Bytes, string? Reason) ReadOne(string root, string relative, long maxBytes)
    {
        using var handle = OpenNoFollow(root, relative);
        if (handle is null)
        {
            return (null, "not a regular file inside the outputs directory");
        }
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return (null, TooLarge);
                }
            }
        }
        catch (IOException e)
        {
            return (null, $"unreadable ({e.Message})");
        }
        return (buffer.ToArray(), null);
    }

    /// <summary>Opens <paramref name="relative"/> under <paramref name="root"/> without following any symlink; null when that fails.</summary>
    private static SafeFileHandle? OpenNoFollow(string root, string relative)
    {
        var (directory, noFollow) = Flags();
        var fd = Open(root, directory | noFollow | OCloexec | ORdonly);
        if (fd < 0)
        {
            return null;
        }
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var next = OpenAt(fd, parts[i], (last ? ONonblock : directory) | noFollow | OCloexec | ORdonly);
            Close(fd);
            if (next < 0)
            {
                return null;
            }
            fd = next;
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // A directory opened as the last component (a race) reads as an error: refuse it up front.
        if (Directory.Exists($"/proc/self/fd/{fd}/"))
        {
            handle.Dispose();
            return null;
        }
        return handle;
    }

    private const int ORdonly = 0;
    private const int ONonblock = 0x800;
    private const int OCloexec = 0x80000;

    /// <summary>O_DIRECTORY and O_NOFOLLOW differ between x86-64 and the arm family.</summary>
    private static (int Directory, int NoFollow) Flags() => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
        ? (0x4000, 0x8000)
        : (0x10000, 0x20000);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static extern int OpenAt(int dirfd, string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
