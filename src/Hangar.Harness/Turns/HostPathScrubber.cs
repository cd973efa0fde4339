using System.Text.RegularExpressions;

namespace Hangar.Harness.Turns;

/// <summary>
/// Removes host file-system paths from messages that reach a session's log (<c>session.error</c>, tool
/// results) when a sandbox can't be prepared: a tenant must not learn the host's layout (the state directory,
/// the data directory, the user Hangar runs as). The failure happens on the host, so every absolute path in it is
/// a host path except the few a sandbox sees under the same name (<c>/workspace</c>, <c>/opt/env</c>, <c>/mnt</c>).
/// The operator's log keeps the full message.
/// </summary>
public static partial class HostPathScrubber
{
    public const string Replacement = "<host path>";

    private static readonly string[] SandboxRoots = ["/workspace", "/opt/env", "/mnt"];

    public static string Scrub(string message) =>
        AbsolutePath().Replace(message, match => SandboxRoots.Any(root => match.Value == root || match.Value.StartsWith(root + "/", StringComparison.Ordinal))
            ? match.Value
            : Replacement);

    // An absolute path not inside a URL or a relative path: '/' not preceded by a word character, ':', '/', '.', '~' or '-'.
    [GeneratedRegex(@"(?<![\w:/.~\-])/[^\s'""`,;()\[\]<>{}]+")]
    private static partial Regex AbsolutePath();
}
