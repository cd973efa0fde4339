using System.Text;
using Hangar.Sandbox.Network;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>Which requests get a credential's value in place of its placeholder, and where in them.</summary>
public sealed class EgressSecretsTests
{
    private static readonly SandboxSecret Limited = new("STRIPE_KEY", "ph_stripe_0123456789", "sk_live_value", ["api.stripe.com", "10.0.0.5"], true, false);
    private static readonly SandboxSecret Anywhere = new("TOKEN", "ph_token_0123456789", "token-value", null, false, true);

    private static EgressTarget Target(string host) =>
        EgressTarget.TryCreate(host, 80, out var target) ? target! : throw new ArgumentException(host);

    [Theory]
    [InlineData("api.stripe.com", true)]
    [InlineData("eu.api.stripe.com", true)]
    [InlineData("API.Stripe.com.", true)]
    [InlineData("api.stripe.com.evil.example", false)]
    [InlineData("stripe.com", false)]
    [InlineData("10.0.0.5", true)]
    [InlineData("10.0.0.6", false)]
    public void A_limited_credential_goes_only_to_its_hosts(string host, bool swapped)
    {
        var secrets = new EgressSecrets([Limited, Anywhere]);

        var names = secrets.For(Target(host)).Select(s => s.Name).ToList();

        Assert.Equal(swapped, names.Contains("STRIPE_KEY"));
        Assert.Contains("TOKEN", names); // unrestricted: any host the environment allows
    }

    [Fact]
    public void Headers_and_bodies_are_swapped_only_where_the_credential_allows()
    {
        string[] lines = [$"Authorization: Bearer {Limited.Placeholder}", $"X-Token: {Anywhere.Placeholder}"];
        var body = Encoding.UTF8.GetBytes($"a={Limited.Placeholder}&b={Anywhere.Placeholder}&c={Anywhere.Placeholder}");

        var headers = EgressSecrets.SwapHeaders(lines, [Limited, Anywhere]);
        var swappedBody = Encoding.UTF8.GetString(EgressSecrets.SwapBody(body, [Limited, Anywhere]));

        Assert.Equal(["Authorization: Bearer sk_live_value", $"X-Token: {Anywhere.Placeholder}"], headers);
        Assert.Equal($"a={Limited.Placeholder}&b=token-value&c=token-value", swappedBody);
    }

    [Fact]
    public void A_secret_prints_without_its_value()
    {
        Assert.DoesNotContain("sk_live_value", Limited.ToString());
    }
}
