namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Bytes used by a workspace, summed from directory metadata on the host (readdir + lstat only: no
/// file is opened and no symlink followed, so sandbox-made links cannot point this walk anywhere).
/// Stands in for a filesystem quota, which the host's ext4 here lacks (see docs/sandbox.md).
/// </summary>
internal static class WorkspaceUsage
{
    private const int MaxEntries = 500_000;

    public static long Measure(string directory)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            ReturnSpecialDirectories = false,
        };
        long total = 0;
        var seen = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options))
        {
            if (++seen > MaxEntries)
                break;
            try
            {
                total += file.Length;
            }
            catch (IOException)
            {
                // Deleted while we walked.
            }
        }
        return total;
    }
}
