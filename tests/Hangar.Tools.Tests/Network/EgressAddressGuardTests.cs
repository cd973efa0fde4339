using System.Net;
using Hangar.Tools.Network;

namespace Hangar.Tools.Tests.Network;

/// <summary>The SSRF guard applied to every resolved address.</summary>
public sealed class EgressAddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.8")]
    [InlineData("172.16.5.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.10.10")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:c0a8:0101::1")]
    public void Private_addresses_are_refused_unless_private_egress_is_enabled(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.NotNull(EgressAddressGuard.Check(ip, PrivateEgressAllowlist.None));
        Assert.Null(EgressAddressGuard.Check(ip, PrivateEgressAllowlist.AnyPrivate));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("169.254.170.2")]
    [InlineData("100.100.100.200")]
    [InlineData("fd00:ec2::23")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("ff02::1")]
    public void Metadata_unspecified_and_multicast_are_always_refused(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.NotNull(EgressAddressGuard.Check(ip, PrivateEgressAllowlist.None));
        Assert.NotNull(EgressAddressGuard.Check(ip, PrivateEgressAllowlist.AnyPrivate));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_pass(string address) =>
        Assert.Null(EgressAddressGuard.Check(IPAddress.Parse(address), PrivateEgressAllowlist.None));

    [Theory]
    [InlineData("169.254.169.254", "169.254.0.0/16")]
    [InlineData("169.254.170.2", "169.254.170.0/24")]
    [InlineData("100.100.100.200", "100.64.0.0/10")]
    [InlineData("100.100.100.200", "100.100.100.200")]
    [InlineData("fd00:ec2::254", "fd00::/8")]
    [InlineData("fd00:ec2::23", "fc00::/7")]
    [InlineData("::ffff:169.254.169.254", "169.254.169.254/32")]
    public void Metadata_addresses_are_refused_even_when_their_range_or_name_is_allowlisted(string address, string range)
    {
        var allow = PrivateEgressAllowlist.Parse($"{range},metadata.internal");
        var reason = EgressAddressGuard.Check(IPAddress.Parse(address), allow, host: "metadata.internal");
        Assert.Equal("a cloud metadata address", reason);
    }

    [Fact]
    public void Loopback_is_refused_unless_allowlisted()
    {
        var privateRanges = PrivateEgressAllowlist.Parse(PrivateEgressAllowlist.PrivateRanges);
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.Loopback, PrivateEgressAllowlist.None));
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.Loopback, privateRanges));
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.IPv6Loopback, privateRanges));
        Assert.Null(EgressAddressGuard.Check(IPAddress.Loopback, PrivateEgressAllowlist.Parse("127.0.0.1")));
        Assert.Null(EgressAddressGuard.Check(IPAddress.IPv6Loopback, PrivateEgressAllowlist.Parse("::1")));
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.Parse("127.0.0.2"), PrivateEgressAllowlist.Parse("127.0.0.1")));
    }

    [Fact]
    public void An_allowlisted_cidr_passes_and_its_neighbours_do_not()
    {
        var allow = PrivateEgressAllowlist.Parse("10.1.0.0/16, fd12::/16");
        Assert.Null(EgressAddressGuard.Check(IPAddress.Parse("10.1.2.3"), allow));
        Assert.Null(EgressAddressGuard.Check(IPAddress.Parse("::ffff:10.1.2.3"), allow));
        Assert.Null(EgressAddressGuard.Check(IPAddress.Parse("fd12:3456::1"), allow));
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.Parse("10.2.0.1"), allow));
        Assert.NotNull(EgressAddressGuard.Check(IPAddress.Parse("192.168.1.1"), allow));
    }

    [Fact]
    public void An_allowlisted_host_name_passes_its_private_answers_only_for_that_name()
    {
        var allow = PrivateEgressAllowlist.Parse("db.internal");
        var address = IPAddress.Parse("10.9.8.7");
        Assert.Null(EgressAddressGuard.Check(address, allow, host: "db.internal"));
        Assert.Null(EgressAddressGuard.Check(address, allow, host: "DB.Internal."));
        Assert.NotNull(EgressAddressGuard.Check(address, allow, host: "other.internal"));
        Assert.NotNull(EgressAddressGuard.Check(address, allow));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("not a host!")]
    [InlineData("10.0.0.0/8,,bad_name$")]
    public void A_malformed_allowlist_entry_is_refused_by_name(string text)
    {
        var error = Assert.Throws<FormatException>(() => PrivateEgressAllowlist.Parse(text));
        Assert.Contains("'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_say_how_to_allow_private_addresses_and_that_metadata_is_never_allowed()
    {
        Assert.Contains(EgressAddressGuard.AllowlistFlag, EgressAddressGuard.Hint(IPAddress.Parse("10.0.0.1"), PrivateEgressAllowlist.None), StringComparison.Ordinal);
        Assert.Contains("never", EgressAddressGuard.Hint(IPAddress.Parse("169.254.169.254"), PrivateEgressAllowlist.AnyPrivate), StringComparison.Ordinal);
    }
}
