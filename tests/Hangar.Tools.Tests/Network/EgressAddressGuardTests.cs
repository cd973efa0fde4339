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
        Assert.NotNull(EgressAddressGuard.Check(ip, allowPrivate: false));
        Assert.Null(EgressAddressGuard.Check(ip, allowPrivate: true));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("ff02::1")]
    public void Metadata_unspecified_and_multicast_are_always_refused(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.NotNull(EgressAddressGuard.Check(ip, allowPrivate: false));
        Assert.NotNull(EgressAddressGuard.Check(ip, allowPrivate: true));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_pass(string address) =>
        Assert.Null(EgressAddressGuard.Check(IPAddress.Parse(address), allowPrivate: false));
}
