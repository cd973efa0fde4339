namespace Hangar.Sandbox.Network;

/// <summary>
/// Hosts opened by <c>allow_package_managers</c> (ports 80/443, subdomains included): the registries of
/// the six managers an environment can install from (apt, npm, pip, cargo, gem, go).
/// Keep in sync with Network/README.md.
/// </summary>
public static class PackageRegistryHosts
{
    public static readonly IReadOnlyList<string> All =
    [
        "deb.debian.org",
        "security.debian.org",
        "registry.npmjs.org",
        "pypi.org",
        "files.pythonhosted.org",
        "crates.io",
        "static.crates.io",
        "index.crates.io",
        "rubygems.org",
        "proxy.golang.org",
        "sum.golang.org",
    ];
}
