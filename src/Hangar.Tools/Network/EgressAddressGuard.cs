using System.Net;
using System.Net.Sockets;

namespace Hangar.Tools.Network;

/// <summary>
/// The SSRF guard: classifies a resolved address. Two tiers. Always refused, whatever the operator lists:
/// cloud metadata (<see cref="MetadataAddresses"/>), unspecified (0.0.0.0/8, ::), multicast, broadcast and
/// reserved ranges — no legitimate egress goes there. Refused unless the operator's
/// <see cref="PrivateEgressAllowlist"/> lists the address's range or the host name: loopback, link-local,
/// RFC 1918, CGNAT 100.64/10, IPv6 unique-local and site-local. IPv4 embedded in IPv6 (mapped, compatible,
/// NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as the IPv4 address it carries.
/// </summary>
public static class EgressAddressGuard
{
    /// <summary>The allowlist's flag and variable (read by the command line only), named in refusals' hints.</summary>
    public const string AllowlistFlag = "--allow-private-egress";

    public const string AllowlistVariable = "HANGAR_PRIVATE_EGRESS_ALLOW";

    /// <summary>Deprecated: <c>true</c> means <see cref="PrivateEgressAllowlist.PrivateRanges"/> (not loopback).</summary>
    public const string AllowPrivateVariable = "HANGAR_ALLOW_PRIVATE_EGRESS";

    /// <summary>
    /// Instance metadata and credential endpoints of the big clouds: AWS/GCP/Azure/OpenStack 169.254.169.254,
    /// AWS ECS task credentials 169.254.170.2, Alibaba 100.100.100.200, AWS IPv6 fd00:ec2::254 and its
    /// DNS/time fd00:ec2::23. Refused even when their enclosing range is allowlisted.
    /// </summary>
    public static readonly IReadOnlyList<IPAddress> MetadataAddresses =
    [
        IPAddress.Parse("169.254.169.254"), IPAddress.Parse("169.254.170.2"), IPAddress.Parse("100.100.100.200"),
        IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("fd00:ec2::23"),
    ];

    /// <summary>Null when the address may be connected to; otherwise why not.</summary>
    /// <param name="host">The name being connected to (null for a literal): allowlisted names pass their private answers.</param>
    public static string? Check(IPAddress address, PrivateEgressAllowlist allow, string? host = null)
    {
        var effective = Effective(address);
        var (category, alwaysRefused) = Classify(effective);
        if (category is null || (!alwaysRefused && (allow.Allows(effective, host) || allow.Allows(address, host))))
        {
            return null;
        }

        return category;
    }

    /// <summary>The end of a refusal message: how to allow it, or that it is never allowed.</summary>
    public static string Hint(IPAddress address, PrivateEgressAllowlist allow)
    {
        var (_, alwaysRefused) = Classify(Effective(address));
        return alwaysRefused
            ? " (never allowed)"
            : $" (to allow it, list its range or host name in {AllowlistFlag} / {AllowlistVariable} on the server"
              + (allow.IsEmpty ? "" : $"; listed now: {allow}") + ")";
    }

    private static (string? Category, bool AlwaysRefused) Classify(IPAddress address)
    {
        if (MetadataAddresses.Any(m => m.Equals(address)))
        {
            return ("a cloud metadata address", true);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return ClassifyV6(address);
        }

        return ClassifyV4(address.GetAddressBytes());
    }

    private static (string?, bool) ClassifyV4(byte[] b)
    {
        return b switch
        {
            [0, ..] => ("an unspecified (0.0.0.0/8) address", true),
            [>= 224 and <= 239, ..] => ("a multicast address", true),
            [>= 240, ..] => ("a reserved or broadcast address", true),
            [127, ..] => ("a loopback address", false),
            [169, 254, ..] => ("a link-local address", false),
            [10, ..] => ("a private (10/8) address", false),
            [172, >= 16 and <= 31, ..] => ("a private (172.16/12) address", false),
            [192, 168, ..] => ("a private (192.168/16) address", false),
            [100, >= 64 and <= 127, ..] => ("a carrier-grade NAT (100.64/10) address", false),
            [192, 0, 0, _] => ("an IETF protocol assignment (192.0.0/24) address", false),
            [198, 18 or 19, ..] => ("a benchmarking (198.18/15) address", false),
            _ => (null, false),
        };
    }

    private static (string?, bool) ClassifyV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (MetadataAddresses.Any(m => m.Equals(new IPAddress(b))))
        {
            return ("a cloud metadata address", true);
        }

        if (address.Equals(IPAddress.IPv6None))
        {
            return ("an unspecified address", true);
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return ("a loopback address", false);
        }

        return b switch
        {
            [0xff, ..] => ("a multicast address", true),
            [0xfe, >= 0x80 and <= 0xbf, ..] => ("a link-local address", false),
            [0xfe, >= 0xc0, ..] => ("a site-local address", false),
            [>= 0xfc and <= 0xfd, ..] => ("a unique-local (fc00::/7) address", false),
            _ => (null, false),
        };
    }

    private static IPAddress Effective(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } v4 ? v4 : address;

    /// <summary>The IPv4 address carried by a mapped, compatible, NAT64 or 6to4 IPv6 address.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        var firstTwelveZero = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        if (firstTwelveZero && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1))
        {
            return new IPAddress(b.AsSpan(12, 4)); // IPv4-compatible ::a.b.c.d
        }

        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            return new IPAddress(b.AsSpan(12, 4)); // NAT64 64:ff9b::/96
        }

        if (b is [0x20, 0x02, ..])
        {
            return new IPAddress(b.AsSpan(2, 4)); // 6to4 2002:a.b.c.d::/48
        }

        return null;
    }
}
