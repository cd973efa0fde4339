using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// A sandbox's hold on the package layer it mounts: a shared flock on <c>&lt;layers&gt;/&lt;hash&gt;.inuse</c>,
/// which the <see cref="LayerCollector"/> must take exclusively before it removes the layer, so a layer is never
/// removed under a running sandbox of any process on the host. The file's mtime records the layer's last use
/// (taken and released), from which its retention counts.
/// </summary>
public sealed class LayerLease : IDisposable
{
    private readonly FileStream hold;
    private int released;

    private LayerLease(PackageLayer layer, FileStream hold)
    {
        Layer = layer;
        this.hold = hold;
    }

    public PackageLayer Layer { get; }

    /// <summary>The lease, or null when the layer was collected meanwhile (the caller builds it again).</summary>
    internal static LayerLease? TryTake(PackageLayer layer, string inUseFile)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        FileStream? hold;
        // Contended only while a collector decides about this very layer (milliseconds).
        while ((hold = HostFileLock.TryLock(inUseFile, exclusive: false)) is null)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
                throw new IOException($"timed out waiting for {inUseFile}");
            Thread.Sleep(20);
        }
        if (PackageLayer.TryLoad(layer.Hash, layer.Directory) is null)
        {
            hold.Dispose();
            return null;
        }
        File.SetLastWriteTimeUtc(inUseFile, DateTime.UtcNow);
        return new LayerLease(layer, hold);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) != 0)
            return;
        File.SetLastWriteTimeUtc(hold.Name, DateTime.UtcNow);
        hold.Dispose();
    }
}
