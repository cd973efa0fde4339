using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Tests.Network;

public sealed class UnrestrictedNetworkSettingTests
{
    [Theory]
    [InlineData(null, UnrestrictedNetwork.Proxy)]
    [InlineData("", UnrestrictedNetwork.Proxy)]
    [InlineData("proxy", UnrestrictedNetwork.Proxy)]
    [InlineData(" UserMode ", UnrestrictedNetwork.UserMode)]
    public void Unset_means_the_proxy_and_usermode_is_an_explicit_opt_in(string? value, UnrestrictedNetwork expected) =>
        Assert.Equal(expected, UnrestrictedNetworkSetting.Parse(value));

    [Fact]
    public void A_typo_fails_loudly_instead_of_silently_changing_isolation()
    {
        var error = Assert.Throws<ArgumentException>(() => UnrestrictedNetworkSetting.Parse("slirp"));
        Assert.Contains("HANGAR_UNRESTRICTED_NETWORK", error.Message);
    }
}
