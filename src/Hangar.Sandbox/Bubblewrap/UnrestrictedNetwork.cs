namespace Hangar.Sandbox.Bubblewrap;

/// <summary>How sandboxes of <c>unrestricted</c> environments reach the network (<c>HANGAR_UNRESTRICTED_NETWORK</c>).</summary>
public enum UnrestrictedNetwork
{
    /// <summary>
    /// The default: HTTP and HTTPS (CONNECT) through the egress proxy to any public destination; loopback,
    /// private, link-local, CGNAT and metadata addresses are refused unless listed in the private-egress allowlist.
    /// </summary>
    Proxy,

    /// <summary>
    /// slirp4netns: any protocol (raw TCP, UDP, DNS) to anywhere the HOST can reach except its loopback — including
    /// its LAN, its own non-loopback addresses and cloud metadata. Only for operators who trust their agents' code.
    /// </summary>
    UserMode,
}

/// <summary>Parses <see cref="UnrestrictedNetwork"/> (the command line reads the variable and passes it down).</summary>
public static class UnrestrictedNetworkSetting
{
    public const string Variable = "HANGAR_UNRESTRICTED_NETWORK";

    /// <summary><c>proxy</c> (or unset) or <c>usermode</c>; anything else throws, so a typo never changes isolation silently.</summary>
    public static UnrestrictedNetwork Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "proxy" => UnrestrictedNetwork.Proxy,
        "usermode" => UnrestrictedNetwork.UserMode,
        _ => throw new ArgumentException($"{Variable}='{value}' is not valid: use 'proxy' (default) or 'usermode'"),
    };
}
