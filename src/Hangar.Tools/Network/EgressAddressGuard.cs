using System.Net;
using System.Net.Sockets;

namespace Hangar.Tools.Network;

/// <summary>
/// The SSRF guard: classifies a resolved address. Two tiers. Always refused: cloud metadata
/// (169.254.169.254, fd00:ec2::254), unspecified (0.0.0.0/8, ::), multicast, broadcast and reserved
/// ranges — no legitimate egress goes there. Refused unless private egress is enabled
/// (<c>HANGAR_ALLOW_PRIVATE_EGRESS=true</c>, for on-premises services and loopback tests): loopback,
/// link-local, RFC 1918, CGNAT 100.64/10, IPv6 unique-local and site-local. IPv4 embedded in IPv6
/// (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as the IPv4 address it carries.
/// </summary>
public static class EgressAddressGuard
{
    /// <summary>The operator's switch for private destinations (on-premises services, loopback tests).</summary>
    public const string AllowPrivateVariable = "HANGAR_ALLOW_PRIVATE_EGRESS";

    /// <summary><c>HANGAR_ALLOW_PRIVATE_EGRESS</c> is <c>true</c> or <c>1</c>: one reading for the proxy, web_fetch, MCP and token endpoints.</summary>
    public static bool AllowPrivateFromEnvironment() =>
        Environment.GetEnvironmentVariable(AllowPrivateVariable)?.Trim().ToLowerInvariant() is "true" or "1";

    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Null when the address may be connected to; otherwise why not.</summary>
    public static string? Check(IPAddress address, bool allowPrivate)
    {
        var (category, alwaysRefused) = Classify(address);
        if (category is null || (!alwaysRefused && allowPrivate))
        {
            return null;
        }

        return category;
    }

    private static (string? Category, bool AlwaysRefused) Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (EmbeddedIPv4(address) is { } v4)
            {
                return Classify(v4);
            }

            return ClassifyV6(address);
        }

        return ClassifyV4(address.GetAddressBytes());
    }

    private static (string?, bool) ClassifyV4(byte[] b)
    {
        return b switch
        {
            [169, 254, 169, 254] => ("a cloud metadata address", true),
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
        if (address.Equals(AwsMetadataV6) || new IPAddress(b).Equals(AwsMetadataV6))
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
