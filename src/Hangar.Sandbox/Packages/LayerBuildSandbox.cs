using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// Where npm/pip/cargo/gem/go run while a layer is built: a bubblewrap sandbox like a session's (own
/// unprivileged host uid, cgroup, no host home, empty env) whose only network is the egress proxy
/// allowing the package registries, and whose only writable places are its throwaway HOME and the
/// layer's <c>&lt;manager&gt;</c> directory, bound at <c>/opt/env/&lt;manager&gt;</c>. Install scripts
/// (npm lifecycle, setup.py, build.rs) therefore run confined, never as root on the host.
/// </summary>
internal sealed class LayerBuildSandbox : IAsyncDisposable
{
    // Debian tools trust the system bundle by default, node does not: give it the same roots.
    private static readonly Dictionary<string, string> TrustSystemRoots = new()
    {
        ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt",
        ["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt",
        ["PIP_CERT"] = "/etc/ssl/certs/ca-certificates.crt",
    };

    private readonly SandboxOptions options;
    private readonly SandboxStore store;
    private readonly SessionLayout session;
    private readonly ISandboxCgroup cgroup;
    private readonly IEgressProxy egress;
    private readonly EgressEndpoint endpoint;

    private LayerBuildSandbox(SandboxOptions options, SandboxStore store, SessionLayout session, ISandboxCgroup cgroup, IEgressProxy egress, EgressEndpoint endpoint)
    {
        this.options = options;
        this.store = store;
        this.session = session;
        this.cgroup = cgroup;
        this.egress = egress;
        this.endpoint = endpoint;
    }

    public static async Task<LayerBuildSandbox> StartAsync(SandboxOptions options, SandboxStore store, CgroupHost cgroups, IEgressProxy egress, string hash, CancellationToken ct)
    {
        // Its own name per build: another process on this host may be building the same layer.
        var id = SandboxInstance.NewName("layer-build-" + hash);
        var session = store.Open(id);
        var endpoint = await egress.StartAsync(id, new NetworkPolicy.Limited([], AllowPackageManagers: true, AllowMcpServers: false), session.Uid, ct);
        return new LayerBuildSandbox(options, store, session, cgroups.Create(id, options.Limits), egress, endpoint);
    }

    /// <summary>Runs one manager command with <paramref name="output"/> (a fresh host directory) writable at /opt/env/&lt;manager&gt;.</summary>
    public async Task<BuildOutput> RunAsync(string manager, ManagerCommand command, string output, TimeSpan timeout, CancellationToken ct)
    {
        Directory.CreateDirectory(output);
        if (Native.LChown(output, (uint)session.Uid, (uint)session.Uid) != 0)
            throw new IOException($"chown {output} to the build uid failed; the server must run as root");
        var environment = new Dictionary<string, string>(TrustSystemRoots);
        foreach (var (name, value) in command.Environment)
            environment[name] = value;
        var program = new SandboxProgram(BwrapCommand.BehindRelay(command.Arguments), endpoint.UnixSocketPath,
            WritableBinds: [(output, $"{PackageLayer.MountPoint}/{manager}")], Environment: environment);
        return await BuildProcess.RunAsync(BwrapCommand.Build(options, store, session, cgroup, program), timeout, cgroup.KillAll, ct);
    }

    public async ValueTask DisposeAsync()
    {
        cgroup.KillAll();
        cgroup.Delete();
        await egress.StopAsync(session.SessionId, CancellationToken.None);
        // The build's HOME (caches, anything a script left) goes; the next build gets a clean one.
        Directory.Delete(session.Directory, recursive: true);
    }
}
