using System.Net;

namespace Hangar.Sandbox.Network;

/// <summary>
/// One allowlist entry. Syntax: <c>example.com</c> (the host and its subdomains), <c>*.example.com</c>
/// (subdomains only), an IP literal (<c>10.0.0.5</c>, <c>[fd00::1]</c>; matches only that address, never a
/// name that resolves to it), each optionally with <c>:port</c>. Without a port an entry allows 80 and 443.
/// </summary>
public sealed record EgressAllowRule(string? Domain, bool SubdomainsOnly, IPAddress? Address, int? Port)
{
    /// <summary>Ports an entry without an explicit port opens.</summary>
    public static readonly IReadOnlySet<int> DefaultPorts = new HashSet<int> { 80, 443 };

    /// <summary>Parses an entry; false for schemes, paths and anything else that is not a host.</summary>
    public static bool TryParse(string entry, out EgressAllowRule? rule)
    {
        rule = null;
        var value = entry.Trim();
        if (value.Length == 0 || value.Contains('/') || value.Contains('@'))
        {
            return false;
        }

        // A bare IPv6 literal ("fd00::1") has several colons and no port.
        if (!value.StartsWith('[') && value.Count(c => c == ':') > 1)
        {
            value = $"[{value}]";
        }

        if (!EgressTarget.SplitHostPort(value, out var host, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        if (!EgressTarget.TryNormalizeHost(wildcard ? host[2..] : host, out var normalized, out var literal)
            || (wildcard && literal is not null))
        {
            return false;
        }

        rule = literal is not null
            ? new EgressAllowRule(null, false, literal, port)
            : new EgressAllowRule(normalized, wildcard, null, port);
        return true;
    }

    /// <summary>True when the target's host and port fall under this entry.</summary>
    public bool MatchesHost(EgressTarget target)
    {
        if (Address is not null)
        {
            return target.Literal is not null && Address.Equals(target.Literal);
        }

        if (target.Literal is not null || Domain is null)
        {
            return false;
        }

        var subdomain = target.Host.EndsWith("." + Domain, StringComparison.Ordinal);
        return SubdomainsOnly ? subdomain : subdomain || target.Host == Domain;
    }

    /// <summary>True when the entry opens the target's port.</summary>
    public bool MatchesPort(int port) => Port is { } explicitPort ? port == explicitPort : DefaultPorts.Contains(port);
}
