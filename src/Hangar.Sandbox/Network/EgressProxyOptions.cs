using System.Net;
using System.Security.Cryptography.X509Certificates;
using Hangar.Tools.Network;

namespace Hangar.Sandbox.Network;

/// <summary>Resolves a host name to its addresses (one lookup per request; the proxy never re-resolves).</summary>
public delegate Task<IPAddress[]> EgressResolver(string host, CancellationToken cancellationToken);

/// <summary>Operator settings of the egress proxy.</summary>
public sealed record EgressProxyOptions
{
    /// <summary>Directory for the per-session sockets; created with mode 0711 so sandbox uids can traverse it.</summary>
    public required string SocketDirectory { get; init; }

    /// <summary>
    /// The operator's private ranges and names sandboxes may reach (on-premises services, loopback tests); none by
    /// default. Metadata, multicast and unspecified addresses stay refused whatever it lists.
    /// </summary>
    public PrivateEgressAllowlist AllowPrivateEgress { get; init; } = PrivateEgressAllowlist.None;

    /// <summary>Concurrent client connections per sandbox; further ones get 503.</summary>
    public int MaxConnectionsPerSandbox { get; init; } = 64;

    /// <summary>Cap on a request line plus headers; larger heads get 431.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>How long a client may take to send its request head.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on resolving and connecting to the destination.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A relayed connection with no bytes in either direction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Roots trusted for upstream TLS in addition to the host's trust store, when the proxy terminates HTTPS to a
    /// credential's host (tests, an operator's private CA). Empty by default; there is no "accept any" setting.
    /// </summary>
    public X509Certificate2Collection UpstreamTrustedRoots { get; init; } = [];

    /// <summary>Name resolution; tests substitute fixed answers for made-up names.</summary>
    public EgressResolver Resolver { get; init; } = static (host, ct) => Dns.GetHostAddressesAsync(host, ct);
}
