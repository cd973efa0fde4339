using System.Net;

namespace Hangar.Sandbox.Network;

/// <summary>Operator settings of the host-side web_fetch tool.</summary>
public sealed record WebFetchOptions
{
    /// <summary><c>HANGAR_ALLOW_PRIVATE_EGRESS=true</c>: fetch loopback/private addresses too (never metadata).</summary>
    public bool AllowPrivateEgress { get; init; }

    /// <summary>Whole fetch (all redirects, headers and body).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of body read at most; the rest is dropped with a note.</summary>
    public int MaxBytes { get; init; } = 2 * 1024 * 1024;

    public int MaxRedirects { get; init; } = 5;

    /// <summary>Name resolution (tests map made-up names to loopback).</summary>
    public EgressResolver Resolver { get; init; } = static (host, ct) => Dns.GetHostAddressesAsync(host, ct);

    public static WebFetchOptions FromEnvironment() => new()
    {
        AllowPrivateEgress = Hangar.Tools.Network.EgressAddressGuard.AllowPrivateFromEnvironment(),
    };
}
