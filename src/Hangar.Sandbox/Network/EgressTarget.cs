using System.Globalization;
using System.Net;

namespace Hangar.Sandbox.Network;

/// <summary>
/// A destination the sandbox asked for, normalized: lower-case ASCII host (IDN → punycode, no
/// trailing dot) or an IP literal, and a port. Anything <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// accepts ("127.1", "0x7f000001", "[::1]") counts as an IP literal, because a resolver would read it so.
/// </summary>
public sealed record EgressTarget(string Host, int Port, IPAddress? Literal)
{
    private static readonly IdnMapping Idn = new();

    /// <summary>Parses a CONNECT authority (<c>host:port</c>, <c>[v6]:port</c>); the port is required.</summary>
    public static bool TryParseAuthority(string authority, int? defaultPort, out EgressTarget? target)
    {
        target = null;
        if (!SplitHostPort(authority, out var host, out var port))
        {
            return false;
        }

        if (port is null && defaultPort is null)
        {
            return false;
        }

        return TryCreate(host, port ?? defaultPort!.Value, out target);
    }

    /// <summary>Normalizes a host and pairs it with a port.</summary>
    public static bool TryCreate(string host, int port, out EgressTarget? target)
    {
        target = null;
        if (port is < 1 or > 65535 || !TryNormalizeHost(host, out var normalized, out var literal))
        {
            return false;
        }

        target = new EgressTarget(normalized, port, literal);
        return true;
    }

    /// <summary>Splits <c>host[:port]</c> / <c>[v6][:port]</c>; a bare IPv6 literal has no port.</summary>
    internal static bool SplitHostPort(string value, out string host, out int? port)
    {
        host = value;
        port = null;
        string? portText = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = value[..(close + 1)];
            var rest = value[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                portText = rest[1..];
            }
        }
        else if (value.Count(c => c == ':') == 1)
        {
            var colon = value.IndexOf(':');
            host = value[..colon];
            portText = value[(colon + 1)..];
        }

        if (portText is not null)
        {
            if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit))
            {
                return false;
            }

            port = int.Parse(portText, CultureInfo.InvariantCulture);
        }

        return host.Length > 0;
    }

    /// <summary>Lower-case ASCII host or IP literal; false for anything a DNS name cannot be.</summary>
    internal static bool TryNormalizeHost(string raw, out string host, out IPAddress? literal)
    {
        host = string.Empty;
        literal = null;
        var value = raw.Trim();
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            value = value[1..^1];
            if (!value.Contains(':') || !IPAddress.TryParse(value, out literal))
            {
                return false;
            }
        }
        else if (IPAddress.TryParse(value, out var parsed))
        {
            literal = parsed;
        }

        if (literal is not null)
        {
            host = literal.ToString();
            return true;
        }

        value = value.TrimEnd('.');
        if (value.Length is 0 or > 253)
        {
            return false;
        }

        try
        {
            value = Idn.GetAscii(value.ToLowerInvariant()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (value.Split('.').Any(label => label.Length is 0 or > 63)
            || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return false;
        }

        // Full-width digits and the like can map to a dotted quad: that is an IP literal too.
        if (IPAddress.TryParse(value, out literal))
        {
            host = literal.ToString();
            return true;
        }

        host = value;
        return true;
    }
}
