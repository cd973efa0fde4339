using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// Removes package layers nobody uses: a finished layer whose last use (its build, or the last sandbox that took
/// or released a <see cref="LayerLease"/>) is older than the retention, and that no sandbox on this host holds
/// now (its <c>.inuse</c> lock can be taken exclusively) and no build holds (<c>.lock</c>). The layer is renamed
/// out of the way first, so it disappears whole; a crash mid-delete leaves a <c>.gc-*</c> directory the next run
/// removes. Sandbox state has no environment ids, so "unused for a while" stands in for "no environment needs it":
/// an environment that comes back rebuilds its layer.
/// </summary>
internal static class LayerCollector
{
    public static IReadOnlyList<string> Collect(string root, TimeSpan retention, string? keep, Action<string> evicted)
    {
        if (!Directory.Exists(root))
            return [];
        foreach (var leftover in Directory.EnumerateDirectories(root, ".gc-*"))
            Directory.Delete(leftover, recursive: true);
        var removed = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var hash = Path.GetFileName(directory);
            if (hash.StartsWith('.') || hash == keep || PackageLayer.TryLoad(hash, directory) is null)
                continue;
            var inUse = InUseFile(root, hash);
            var lastUse = File.GetLastWriteTimeUtc(Path.Join(directory, PackageLayer.ManifestName));
            if (File.Exists(inUse) && File.GetLastWriteTimeUtc(inUse) > lastUse)
                lastUse = File.GetLastWriteTimeUtc(inUse);
            if (now - lastUse < retention)
                continue;
            using var building = HostFileLock.TryLock(Path.Join(root, hash + ".lock"), exclusive: true);
            using var unused = building is null ? null : HostFileLock.TryLock(inUse, exclusive: true);
            if (unused is null)
                continue;
            var doomed = Path.Join(root, $".gc-{hash}-{Guid.NewGuid():N}");
            Directory.Move(directory, doomed);
            evicted(hash);
            Directory.Delete(doomed, recursive: true);
            removed.Add(hash);
        }
        return removed;
    }

    public static string InUseFile(string root, string hash) => Path.Join(root, hash + ".inuse");
}
