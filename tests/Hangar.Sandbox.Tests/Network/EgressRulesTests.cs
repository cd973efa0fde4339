using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>The name/port half of the policy: which destinations a sandbox may ask for.</summary>
public sealed class EgressRulesTests
{
    private static EgressDecision Decide(NetworkPolicy policy, string host, int port = 443, IEnumerable<string>? mcp = null)
    {
        Assert.True(EgressTarget.TryCreate(host, port, out var target), $"'{host}' should parse");
        return new EgressRules(policy, mcp).Decide(target!);
    }

    private static NetworkPolicy.Limited Limited(params string[] hosts) => new(hosts, false, false);

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("Example.COM", "api.EXAMPLE.com.", true)]
    [InlineData("example.com", "notexample.com", false)]
    [InlineData("example.com", "example.com.evil.net", false)]
    [InlineData("*.example.com", "api.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("bücher.example", "xn--bcher-kva.example", true)]
    [InlineData("xn--bcher-kva.example", "BÜCHER.example", true)]
    [InlineData("https://example.com/path", "example.com", false)]
    public void Hosts_match_exactly_or_as_subdomains_case_and_IDN_insensitively(string entry, string host, bool allowed) =>
        Assert.Equal(allowed, Decide(Limited(entry), host).Allowed);

    [Fact]
    public void An_IP_literal_matches_only_a_listed_literal_never_a_name()
    {
        Assert.True(Decide(Limited("10.1.2.3"), "10.1.2.3").Allowed);
        Assert.True(Decide(Limited("[fd00::1]:8443"), "[fd00::1]", 8443).Allowed);
        Assert.False(Decide(Limited("example.com"), "93.184.216.34").Allowed);
        Assert.False(Decide(Limited("10.1.2.3"), "10.1.2.4").Allowed);
    }

    [Fact]
    public void Ports_default_to_80_and_443_unless_an_entry_names_one()
    {
        Assert.True(Decide(Limited("example.com"), "example.com", 80).Allowed);
        Assert.False(Decide(Limited("example.com"), "example.com", 22).Allowed);
        Assert.True(Decide(Limited("example.com", "git.example.com:22"), "git.example.com", 22).Allowed);
        Assert.False(Decide(Limited("git.example.com:22"), "git.example.com", 443).Allowed);
    }

    [Theory]
    [InlineData("pypi.org")]
    [InlineData("files.pythonhosted.org")]
    [InlineData("registry.npmjs.org")]
    [InlineData("deb.debian.org")]
    [InlineData("static.crates.io")]
    [InlineData("proxy.golang.org")]
    [InlineData("rubygems.org")]
    public void Package_registries_are_allowed_only_with_the_flag(string registry)
    {
        Assert.True(Decide(new NetworkPolicy.Limited([], true, false), registry).Allowed);
        var refused = Decide(new NetworkPolicy.Limited([], false, false), registry);
        Assert.False(refused.Allowed);
        Assert.Contains("allow_package_managers is false", refused.Reason);
    }

    [Fact]
    public void MCP_server_hosts_are_allowed_only_with_the_flag()
    {
        string[] mcp = ["mcp.example.org"];
        Assert.True(Decide(new NetworkPolicy.Limited([], false, true), "mcp.example.org", mcp: mcp).Allowed);
        Assert.False(Decide(new NetworkPolicy.Limited([], false, false), "mcp.example.org", mcp: mcp).Allowed);
    }

    [Fact]
    public void None_refuses_everything_and_unrestricted_allows_any_name_and_port()
    {
        Assert.Contains("allows no network access", Decide(new NetworkPolicy.None(), "example.com").Reason);
        Assert.True(Decide(new NetworkPolicy.Unrestricted(), "example.com", 5432).Allowed);
    }
}
