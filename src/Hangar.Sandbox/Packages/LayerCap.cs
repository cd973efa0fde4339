using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// Watches a layer build's disk use (the layer being built and the build sandbox's home) once a second and
/// cancels the build when it passes <see cref="SandboxOptions.LayerBytes"/>; the finished layer is measured once
/// more. Sizes come from directory metadata only (<see cref="WorkspaceUsage"/>: no file opened, no link followed).
/// </summary>
internal sealed class LayerCap(long capBytes, IReadOnlyList<Func<IEnumerable<string>>> directories) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource stop = new();

    /// <summary>The size that went over the cap, once it did.</summary>
    public long? Exceeded { get; private set; }

    public long CapBytes => capBytes;

    /// <summary>Cancels <paramref name="build"/> when the build grows past the cap.</summary>
    public void Watch(CancellationTokenSource build) => _ = WatchAsync(build);

    /// <summary>Measures now; true when within the cap.</summary>
    public bool Check()
    {
        var used = directories.SelectMany(d => d()).Where(Directory.Exists).Sum(WorkspaceUsage.Measure);
        if (used <= capBytes)
            return true;
        Exceeded = used;
        return false;
    }

    public PackageInstallException Failure(PackagesSpec spec)
    {
        var managers = spec.Managers.Where(m => m.Packages.Count > 0).ToList();
        return new PackageInstallException(string.Join("+", managers.Select(m => m.Manager)), [.. managers.SelectMany(m => m.Packages)],
            $"the layer grew past its cap of {capBytes} bytes ({capBytes >> 20} MiB; {Exceeded ?? 0} bytes used): choose fewer or smaller packages, or ask the operator to raise the layer cap");
    }

    private async Task WatchAsync(CancellationTokenSource build)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Interval, stop.Token);
                if (!Check())
                {
                    await build.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A directory vanished mid-walk (the build ended): the final Check decides.
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }
}
