using System.Net;
using Hangar.Tools.Network;

namespace Hangar.Sandbox.Network;

/// <summary>Operator settings of the host-side web_fetch tool.</summary>
public sealed record WebFetchOptions
{
    /// <summary>Private ranges and names web_fetch may reach (never metadata); none by default.</summary>
    public PrivateEgressAllowlist AllowPrivateEgress { get; init; } = PrivateEgressAllowlist.None;

    /// <summary>Whole fetch (all redirects, headers and body).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of body read at most; the rest is dropped with a note.</summary>
    public int MaxBytes { get; init; } = 2 * 1024 * 1024;

    public int MaxRedirects { get; init; } = 5;

    /// <summary>Name resolution (tests map made-up names to loopback).</summary>
    public EgressResolver Resolver { get; init; } = static (host, ct) => Dns.GetHostAddressesAsync(host, ct);
}
