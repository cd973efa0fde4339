using System.Net;
using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>
/// Two loopback HTTP servers ("allowed" and "blocked"), a TCP echo server, and proxies on unix sockets in
/// a private temp directory. Made-up names resolve through a fixed test resolver; others use real DNS.
/// </summary>
public sealed class EgressProxyFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, IPAddress[]> TestNames = new()
    {
        ["allowed.test"] = [IPAddress.Loopback],
        ["blocked.test"] = [IPAddress.Loopback],
        // HTTPS stand-ins (SandboxNetworkFixture): a credential's host, a host without credentials, a bad certificate.
        ["secure.test"] = [IPAddress.Loopback],
        ["other.test"] = [IPAddress.Loopback],
        ["untrusted.test"] = [IPAddress.Loopback],
        // A name whose answer mixes a public and a loopback address: one bad address refuses it all.
        ["rebind.test"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Loopback],
    };

    private readonly List<EgressProxy> _proxies = [];
    private int _sessions;

    public string SocketDirectory { get; } = Path.Combine(Path.GetTempPath(), "hgr-egress-" + Guid.NewGuid().ToString("N")[..8]);

    public LoopbackHttpServer Allowed { get; private set; } = null!;

    public LoopbackHttpServer Blocked { get; private set; } = null!;

    public LoopbackEchoServer Echo { get; } = new();

    public async Task InitializeAsync()
    {
        Allowed = await LoopbackHttpServer.StartAsync("allowed");
        Blocked = await LoopbackHttpServer.StartAsync("blocked");
    }

    public static Task<IPAddress[]> Resolve(string host, CancellationToken ct) =>
        TestNames.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : Dns.GetHostAddressesAsync(host, ct);

    /// <summary>Starts a proxy for a fresh session and returns its socket path.</summary>
    public async Task<(EgressProxy Proxy, string SessionId, string SocketPath)> StartAsync(
        NetworkPolicy policy, bool allowPrivate = true, Func<EgressProxyOptions, EgressProxyOptions>? configure = null)
    {
        var options = new EgressProxyOptions
        {
            SocketDirectory = SocketDirectory,
            AllowPrivateEgress = allowPrivate,
            Resolver = Resolve,
        };
        var proxy = new EgressProxy(configure?.Invoke(options) ?? options);
        _proxies.Add(proxy);
        var sessionId = $"sesn_test{Interlocked.Increment(ref _sessions)}";
        var endpoint = await proxy.StartAsync(sessionId, policy, CancellationToken.None);
        return (proxy, sessionId, endpoint.UnixSocketPath);
    }

    public static NetworkPolicy.Limited Limited(params string[] hosts) => new(hosts, false, false);

    public async Task DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        await Allowed.DisposeAsync();
        await Blocked.DisposeAsync();
        await Echo.DisposeAsync();
        Directory.Delete(SocketDirectory, recursive: true);
    }
}
