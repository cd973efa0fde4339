using System.Globalization;
using Hangar.Tools;

namespace Hangar.Sandbox.Network;

/// <summary>
/// The agent's web_fetch domain filter (behaviour.md §4): <c>allowed_domains</c> (only these hosts and their
/// subdomains) xor <c>blocked_domains</c> (everything but these and their subdomains). Case-insensitive,
/// trailing dot ignored, IDN compared as punycode. IP-literal URLs match no domain, so an allowlist refuses them.
/// </summary>
public static class WebDomainRules
{
    private static readonly IdnMapping Idn = new();

    public static bool Allows(WebToolConfig config, string host)
    {
        var name = Normalise(host);
        if (config.AllowedDomains is { Count: > 0 } allowed)
            return allowed.Any(d => Covers(Normalise(d), name));
        if (config.BlockedDomains is { Count: > 0 } blocked)
            return !blocked.Any(d => Covers(Normalise(d), name));
        return true;
    }

    private static bool Covers(string domain, string host) =>
        domain.Length > 0 && (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal));

    private static string Normalise(string host)
    {
        var trimmed = host.Trim().TrimEnd('.').ToLowerInvariant();
        try
        {
            return Idn.GetAscii(trimmed);
        }
        catch (ArgumentException)
        {
            return trimmed;
        }
    }
}
