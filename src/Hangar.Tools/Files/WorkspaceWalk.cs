namespace Hangar.Tools;

/// <summary>
/// Enumerates files under a directory for glob and grep without following symlinked directories
/// (they could lead out of the workspace or loop) and skipping <c>.git</c> internals. Stops after
/// <see cref="MaxEntries"/> entries so a huge tree cannot stall a tool call.
/// </summary>
internal sealed class WorkspaceWalk(string hostDirectory)
{
    public const int MaxEntries = 50_000;

    /// <summary>True when the walk stopped at <see cref="MaxEntries"/>; results are then partial.</summary>
    public bool Truncated { get; private set; }

    public IEnumerable<FileInfo> Files(CancellationToken ct)
    {
        var seen = 0;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(hostDirectory));
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            FileSystemInfo[] entries;
            try
            {
                entries = pending.Pop().GetFileSystemInfos();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // unreadable directory: skip it, like find does with a warning
            }
            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var entry in entries)
            {
                if (++seen > MaxEntries)
                {
                    Truncated = true;
                    yield break;
                }
                if (entry is DirectoryInfo directory)
                {
                    if (directory.LinkTarget is null && directory.Name != ".git")
                        pending.Push(directory);
                }
                else if (entry is FileInfo file && file.LinkTarget is null)
                {
                    yield return file;
                }
            }
        }
    }
}
