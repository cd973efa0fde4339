namespace Hangar.Vault;

/// <summary>
/// Matching a credential to an MCP server: lowercase scheme and host, the default port dropped, the
/// path kept (case-sensitive) without a trailing slash; query and fragment ignored. Path, subdomain
/// and port differences don't match.
/// </summary>
public static class McpServerUrl
{
    /// <summary>The normalised form, or null when <paramref name="url"/> is not an absolute http(s) URL.</summary>
    public static string? Normalize(string? url)
    {
        if (url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var path = uri.AbsolutePath.TrimEnd('/');
        return $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}{port}{path}";
    }

    public static bool Same(string? a, string? b) => Normalize(a) is { } left && left == Normalize(b);
}
