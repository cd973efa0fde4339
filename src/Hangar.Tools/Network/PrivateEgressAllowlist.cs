using System.Net;
using System.Net.Sockets;

namespace Hangar.Tools.Network;

/// <summary>
/// The operator's exceptions to the SSRF guard's private tier: CIDR ranges and host names
/// (<c>--allow-private-egress 10.0.0.0/8,db.internal</c>). An address the guard would refuse as loopback,
/// link-local, RFC 1918, CGNAT or unique-local passes only when it lies in a listed range, or when the name
/// being connected to is listed. Metadata, unspecified, multicast and reserved addresses stay refused whatever
/// is listed (<see cref="EgressAddressGuard"/>). Built from configuration at the composition root only.
/// </summary>
public sealed class PrivateEgressAllowlist
{
    /// <summary>The ranges <c>HANGAR_ALLOW_PRIVATE_EGRESS=true</c> (deprecated) stands for: private, not loopback.</summary>
    public const string PrivateRanges = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,fc00::/7,fe80::/10";

    private readonly IReadOnlyList<IPNetwork> networks;
    private readonly HashSet<string> hosts;

    private PrivateEgressAllowlist(IReadOnlyList<IPNetwork> networks, IEnumerable<string> hosts)
    {
        this.networks = networks;
        this.hosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Nothing private is reachable (the default).</summary>
    public static PrivateEgressAllowlist None { get; } = new([], []);

    /// <summary>
    /// Every private range AND loopback (not metadata): what <c>true</c> converts to, for tests and embedders
    /// that talk to servers on 127.0.0.1. The command line never produces it unless loopback is listed.
    /// </summary>
    public static PrivateEgressAllowlist AnyPrivate { get; } = Parse(PrivateRanges + ",127.0.0.0/8,::1/128");

    /// <summary>Whether anything is listed (hints in refusals say how to list it when not).</summary>
    public bool IsEmpty => networks.Count == 0 && hosts.Count == 0;

    /// <summary><c>true</c>: <see cref="AnyPrivate"/>; <c>false</c>: <see cref="None"/> (keeps boolean call sites and tests working).</summary>
    public static implicit operator PrivateEgressAllowlist(bool anyPrivate) => anyPrivate ? AnyPrivate : None;

    /// <summary>Comma- or space-separated CIDRs, single addresses and host names; throws <see cref="FormatException"/> naming a bad entry.</summary>
    public static PrivateEgressAllowlist Parse(string? text)
    {
        var networks = new List<IPNetwork>();
        var hosts = new List<string>();
        foreach (var entry in (text ?? "").Split([',', ' ', ';', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (!IPNetwork.TryParse(entry, out var network))
                    throw new FormatException($"'{entry}' is not a CIDR range (like 10.0.0.0/8 or fd00::/8)");
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (Uri.CheckHostName(entry.TrimEnd('.')) == UriHostNameType.Dns)
            {
                hosts.Add(entry.TrimEnd('.'));
            }
            else
            {
                throw new FormatException($"'{entry}' is neither a CIDR range, an IP address nor a host name");
            }
        }
        return networks.Count == 0 && hosts.Count == 0 ? None : new PrivateEgressAllowlist(networks, hosts);
    }

    /// <summary>Whether <paramref name="address"/> (reached as <paramref name="host"/>, when by name) is listed.</summary>
    public bool Allows(IPAddress address, string? host)
    {
        if (host is not null && hosts.Contains(host.TrimEnd('.')))
            return true;
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return networks.Any(n => n.Contains(plain));
    }

    public override string ToString() =>
        IsEmpty ? "none" : string.Join(',', networks.Select(n => n.ToString()).Concat(hosts.Order(StringComparer.Ordinal)));
}
