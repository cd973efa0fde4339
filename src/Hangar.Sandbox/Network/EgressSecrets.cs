using System.Text;
using Hangar.Tools;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Placeholder substitution at egress (vault <c>environment_variable</c> credentials): a sandbox holds only
/// placeholders; in a request to a host a credential allows (plain HTTP, or HTTPS the proxy terminates for that
/// host: <see cref="EgressInterception"/>), the proxy replaces that credential's placeholder with its value — in
/// header values when the credential allows headers, in a body with a <c>Content-Length</c> of at most
/// <see cref="MaxBodyBytes"/> when it allows bodies. Anywhere else (another host, a disabled location, a chunked or
/// larger body) the placeholder goes out as it is: the value never reaches a host the credential does not name.
/// </summary>
internal sealed class EgressSecrets
{
    public const int MaxBodyBytes = 1 << 20;

    public static readonly EgressSecrets None = new([]);

    private readonly List<(SandboxSecret Secret, List<EgressAllowRule>? Hosts)> _secrets;

    public EgressSecrets(IReadOnlyList<SandboxSecret> secrets)
    {
        _secrets = [.. secrets.Where(s => s.Placeholder.Length > 0).Select(s => (s, s.AllowedHosts is null ? null : Rules(s.AllowedHosts)))];
    }

    public bool IsEmpty => _secrets.Count == 0;

    /// <summary>The credentials whose values may go to <paramref name="target"/>'s host.</summary>
    public IReadOnlyList<SandboxSecret> For(EgressTarget target) =>
        [.. _secrets.Where(s => s.Hosts is null || s.Hosts.Any(rule => rule.MatchesHost(target))).Select(s => s.Secret)];

    /// <summary>Header lines with each header-enabled placeholder replaced by its value.</summary>
    public static IReadOnlyList<string> SwapHeaders(IReadOnlyList<string> lines, IReadOnlyList<SandboxSecret> secrets)
    {
        var inHeaders = secrets.Where(s => s.InHeaders).ToList();
        if (inHeaders.Count == 0)
        {
            return lines;
        }
        return [.. lines.Select(line =>
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                return line;
            }
            var value = line[(colon + 1)..];
            foreach (var secret in inHeaders)
            {
                value = value.Replace(secret.Placeholder, secret.Value, StringComparison.Ordinal);
            }
            return line[..(colon + 1)] + value;
        })];
    }

    /// <summary>The body with each body-enabled placeholder (as UTF-8 bytes) replaced by its value.</summary>
    public static byte[] SwapBody(byte[] body, IReadOnlyList<SandboxSecret> secrets)
    {
        foreach (var secret in secrets.Where(s => s.InBody))
        {
            body = Replace(body, Encoding.UTF8.GetBytes(secret.Placeholder), Encoding.UTF8.GetBytes(secret.Value));
        }
        return body;
    }

    private static byte[] Replace(byte[] source, byte[] find, byte[] replacement)
    {
        var at = source.AsSpan().IndexOf(find);
        if (at < 0)
        {
            return source;
        }
        using var output = new MemoryStream(source.Length);
        var rest = source.AsSpan();
        while ((at = rest.IndexOf(find)) >= 0)
        {
            output.Write(rest[..at]);
            output.Write(replacement);
            rest = rest[(at + find.Length)..];
        }
        output.Write(rest);
        return output.ToArray();
    }

    private static List<EgressAllowRule> Rules(IReadOnlyList<string> hosts) =>
        [.. hosts.Select(h => EgressAllowRule.TryParse(h, out var rule) ? rule : null).OfType<EgressAllowRule>()];
}
