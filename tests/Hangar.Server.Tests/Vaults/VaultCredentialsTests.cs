using System.Text;
using Hangar.Harness.Mcp;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

public sealed class VaultCredentialsTests(VaultServerFixture server) : IClassFixture<VaultServerFixture>
{
    private VaultCredentials Credentials(bool allowPrivate = true) =>
        VaultCredentials.Create(server.Store, new SecretCipher(server.Key), server.Clock, allowPrivateEgress: allowPrivate);

    private McpCredentialRequest Request(string url, params string[] vaults) =>
        new(server.WorkspaceId, "sesn_011CZkYpogX7uDKUyvBTophP", vaults, "docs", url);

    [Fact]
    public async Task The_first_vault_with_a_matching_static_bearer_wins_and_each_use_is_audited()
    {
        var empty = await server.VaultAsync("empty");
        var first = await server.VaultAsync("first");
        var second = await server.VaultAsync("second");
        await server.CredentialAsync(first, """{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/api/","token":"tok-first"}""");
        await server.CredentialAsync(second, """{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/api","token":"tok-second"}""");

        var token = await Credentials().GetTokenAsync(Request("HTTPS://mcp.example.com:443/api", empty, first, second), CancellationToken.None);
        Assert.Equal("tok-first", token!.AccessToken);
        Assert.Equal(first, token.VaultId);
        Assert.DoesNotContain("tok-", token.ToString());
        Assert.Null(await Credentials().GetTokenAsync(Request("https://mcp.example.com/api/other", first), CancellationToken.None));

        var audit = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{first}/audit?limit=1");
        var entry = audit["data"]![0]!;
        Assert.Equal("not_found", (string?)entry["outcome"]);
        var page2 = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{first}/audit?limit=1&page={(string)audit["next_page"]!}");
        Assert.Equal("used", (string?)page2["data"]![0]!["outcome"]);
        Assert.Equal(token.CredentialId, (string?)page2["data"]![0]!["credential_id"]);
        Assert.Equal("sesn_011CZkYpogX7uDKUyvBTophP", (string?)page2["data"]![0]!["session_id"]);
        Assert.DoesNotContain("tok-", audit.ToJsonString() + page2.ToJsonString());
        Assert.Equal(404, (await ServerFixture.SendAsync(server.OtherClient, HttpMethod.Get, $"/v1/vaults/{first}/audit")).Status);
    }

    [Theory]
    [InlineData("client_secret_post")]
    [InlineData("client_secret_basic")]
    [InlineData("none")]
    public async Task An_expired_oauth_token_is_refreshed_and_stored_back_sealed(string clientAuth)
    {
        await using var endpoint = await TokenEndpoint.StartAsync();
        var vault = await server.VaultAsync();
        var secretPart = clientAuth == "none" ? "" : ""","client_secret":"CS-1" """;
        var credential = await server.CredentialAsync(vault, $$$$"""
            {"type":"mcp_oauth","mcp_server_url":"https://oauth.example.com/mcp","access_token":"OLD-AT",
             "expires_at":"{{{{server.Clock.GetUtcNow().AddSeconds(30):O}}}}",
             "refresh":{"client_id":"cid","refresh_token":"RT-1","token_endpoint":"{{{{endpoint.Url}}}}","scope":"read",
                        "token_endpoint_auth":{"type":"{{{{clientAuth}}}}"{{{{secretPart}}}}}}}
            """);

        var token = await Credentials().GetTokenAsync(Request("https://oauth.example.com/mcp", vault), CancellationToken.None);
        Assert.Equal("REFRESHED-AT", token!.AccessToken);
        var (form, authorization) = Assert.Single(endpoint.Requests);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("RT-1", form["refresh_token"]);
        Assert.Equal("read", form["scope"]);
        switch (clientAuth)
        {
            case "client_secret_post":
                Assert.Equal(("cid", "CS-1"), (form["client_id"], form["client_secret"]));
                break;
            case "client_secret_basic":
                Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("cid:CS-1")), authorization);
                Assert.False(form.ContainsKey("client_secret"));
                break;
            default:
                Assert.Equal("cid", form["client_id"]);
                Assert.Empty(authorization ?? "");
                break;
        }

        // Stored back: the next use needs no refresh and the rotated refresh token is what a later refresh sends.
        var again = await Credentials().GetTokenAsync(Request("https://oauth.example.com/mcp", vault), CancellationToken.None);
        Assert.Equal("REFRESHED-AT", again!.AccessToken);
        Assert.Single(endpoint.Requests);
        var stored = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vault}/credentials/{(string)credential["id"]!}");
        Assert.True(DateTimeOffset.Parse((string)stored["auth"]!["expires_at"]!) > server.Clock.GetUtcNow().AddMinutes(50));
        var opened = new CredentialSecrets(new SecretCipher(server.Key)).Open(
            (await server.Store.Vaults.GetSecretAsync(server.WorkspaceId, token.CredentialId, CancellationToken.None))!);
        Assert.Equal("ROTATED-RT", opened["refresh_token"]);
        var audit = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vault}/audit");
        Assert.Equal(["used", "refreshed"], audit["data"]!.AsArray().Select(e => (string)e!["outcome"]!));
    }

    [Fact]
    public async Task A_failed_refresh_names_the_credential_but_no_secret()
    {
        await using var endpoint = await TokenEndpoint.StartAsync();
        endpoint.Answer = (400, """{"error":"invalid_grant","error_description":"bad RT-SECRET-9"}""");
        var vault = await server.VaultAsync();
        var credential = await server.CredentialAsync(vault, $$$$"""
            {"type":"mcp_oauth","mcp_server_url":"https://fail.example.com/mcp","access_token":"AT-SECRET-9","expires_at":"2020-01-01T00:00:00Z",
             "refresh":{"client_id":"cid","refresh_token":"RT-SECRET-9","token_endpoint":"{{{{endpoint.Url}}}}","token_endpoint_auth":{"type":"none"}}}
            """);
        var error = await Assert.ThrowsAsync<McpCredentialException>(() =>
            Credentials().GetTokenAsync(Request("https://fail.example.com/mcp", vault), CancellationToken.None));
        Assert.Equal("mcp_authentication_failed_error", error.ErrorType);
        Assert.Contains((string)credential["id"]!, error.Message);
        Assert.Contains("invalid_grant", error.Message);
        Assert.DoesNotContain("SECRET", error.Message);
        var audit = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vault}/audit");
        Assert.Equal("refresh_failed", (string?)audit["data"]![0]!["outcome"]);
        Assert.DoesNotContain("SECRET", audit.ToJsonString());
    }

    [Fact]
    public async Task Token_endpoints_on_private_addresses_are_refused_unless_private_egress_is_allowed()
    {
        await using var endpoint = await TokenEndpoint.StartAsync();
        var vault = await server.VaultAsync();
        await server.CredentialAsync(vault, $$$$"""
            {"type":"mcp_oauth","mcp_server_url":"https://ssrf.example.com/mcp","access_token":"a","expires_at":"2020-01-01T00:00:00Z",
             "refresh":{"client_id":"cid","refresh_token":"r","token_endpoint":"{{{{endpoint.Url}}}}","token_endpoint_auth":{"type":"none"}}}
            """);
        var error = await Assert.ThrowsAsync<McpCredentialException>(() =>
            Credentials(allowPrivate: false).GetTokenAsync(Request("https://ssrf.example.com/mcp", vault), CancellationToken.None));
        Assert.Contains("loopback", error.Message);
        Assert.Empty(endpoint.Requests);
    }

    [Fact]
    public async Task A_session_referencing_an_archived_vault_fails_cleanly()
    {
        var vault = await server.VaultAsync();
        await server.CredentialAsync(vault, """{"type":"static_bearer","mcp_server_url":"https://arch.example.com/mcp","token":"t"}""");
        await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vault}/archive");
        var error = await Assert.ThrowsAsync<McpCredentialException>(() =>
            Credentials().GetTokenAsync(Request("https://arch.example.com/mcp", vault), CancellationToken.None));
        Assert.Contains(vault, error.Message);
        Assert.Contains("archived", error.Message);
    }
}
