namespace Hangar.Server.Tests.Vaults;

/// <summary>
/// What Hangar cannot honour for an <c>environment_variable</c> credential is refused at creation with a 400 naming
/// the field: a variable the sandbox sets itself, an allowed host the egress proxy could never match.
/// </summary>
public sealed class EnvironmentCredentialRulesTests(VaultServerFixture server) : IClassFixture<VaultServerFixture>
{
    [Theory]
    [InlineData("PATH", """{"type":"unrestricted"}""", "auth.secret_name")]
    [InlineData("https_proxy", """{"type":"unrestricted"}""", "auth.secret_name")]
    [InlineData("STRIPE_KEY", """{"type":"limited","allowed_hosts":["https://api.stripe.com"]}""", "auth.networking.allowed_hosts[0]")]
    [InlineData("STRIPE_KEY", """{"type":"limited","allowed_hosts":["api.stripe.com","api.stripe.com/v1"]}""", "auth.networking.allowed_hosts[1]")]
    public async Task Unhonourable_credentials_are_400s_naming_the_field(string name, string networking, string field)
    {
        var vaultId = await server.VaultAsync();
        var body = $$$"""{"auth":{"type":"environment_variable","secret_name":"{{{name}}}","secret_value":"v","networking":{{{networking}}}}}""";

        var (status, response) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials", body);

        Assert.Equal(400, status);
        Assert.StartsWith(field + ":", (string?)response!["error"]!["message"]);
    }

    [Fact]
    public async Task Hosts_wildcards_and_ip_literals_are_accepted()
    {
        var vaultId = await server.VaultAsync();
        var body = """{"auth":{"type":"environment_variable","secret_name":"K","secret_value":"v","networking":{"type":"limited","allowed_hosts":["api.stripe.com","*.example.com","10.0.0.5"]}}}""";

        var (status, response) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials", body);

        Assert.True(status == 200, response?.ToJsonString());
        Assert.DoesNotContain("\"v\"", response!.ToJsonString());
    }
}
