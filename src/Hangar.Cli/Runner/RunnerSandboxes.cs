using Hangar.Harness.Tools;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;
using Hangar.Server.Harness;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Cli.Runner;

/// <summary>
/// The runner's sandbox provider, composed like <c>hangar serve</c>'s (WorkerHosting): bubblewrap with the
/// egress proxy, the same network policy and limits, refusing to start where bubblewrap can't run; or the
/// plain local directory when asked for by name. Session workspaces live under <c>root</c>, keyed by
/// session id, so a session served again on this host finds its files.
/// </summary>
public sealed class RunnerSandboxes : IAsyncDisposable
{
    private readonly IReadOnlyList<IAsyncDisposable> owned;

    private RunnerSandboxes(ISandboxProvider provider, IReadOnlyList<IAsyncDisposable> owned)
    {
        Provider = provider;
        this.owned = owned;
    }

    public ISandboxProvider Provider { get; }

    /// <summary>Throws <see cref="SandboxUnavailableException"/> (with what to do) when bubblewrap can't run here.</summary>
    public static async Task<RunnerSandboxes> CreateAsync(
        SandboxKind kind, string root, WorkerSettings settings, ILoggerFactory loggers, CancellationToken ct)
    {
        if (kind == SandboxKind.Local)
        {
            return new RunnerSandboxes(
                new LocalWorkspaceSandboxProvider(Path.Combine(root, "workspaces"), loggers.CreateLogger<LocalWorkspaceSandboxProvider>()), []);
        }
        var allowPrivate = settings.AllowPrivateEgress ?? Hangar.Tools.Network.PrivateEgressAllowlist.None;
        var options = new SandboxOptions
        {
            DataDirectory = root,
            UnrestrictedNetwork = settings.UnrestrictedNetwork,
            AllowPrivateEgress = allowPrivate,
            AllowUnlimitedMemory = settings.AllowUnlimitedMemory,
        };
        HostRequirements.Check(options).Enforce(loggers.CreateLogger<HostReport>());
        var egress = new EgressProxy(
            new EgressProxyOptions { SocketDirectory = Path.Combine(root, "egress"), AllowPrivateEgress = allowPrivate },
            loggers.CreateLogger<EgressProxy>());
        try
        {
            var bubblewrap = await BubblewrapSandboxProvider.CreateAsync(options, loggers.CreateLogger<BubblewrapSandboxProvider>(), egress, ct);
            return new RunnerSandboxes(bubblewrap, [bubblewrap, egress]);
        }
        catch
        {
            await egress.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var resource in owned)
        {
            await resource.DisposeAsync();
        }
    }
}
