using Hangar.Harness.Mcp;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>A token endpoint cannot make the host buffer an unbounded answer.</summary>
public sealed class TokenEndpointLimitTests(VaultServerFixture server) : IClassFixture<VaultServerFixture>
{
    [Fact]
    public async Task A_token_response_over_64_KiB_fails_the_refresh_without_being_read_whole()
    {
        await using var endpoint = await TokenEndpoint.StartAsync();
        endpoint.Answer = (200, $$"""{"access_token":"{{new string('a', 4 * 1024 * 1024)}}","expires_in":3600}""");
        var vault = await server.VaultAsync();
        await server.CredentialAsync(vault, $$$$"""
            {"type":"mcp_oauth","mcp_server_url":"https://huge.example.com/mcp","access_token":"a","expires_at":"2020-01-01T00:00:00Z",
             "refresh":{"client_id":"cid","refresh_token":"r","token_endpoint":"{{{{endpoint.Url}}}}","token_endpoint_auth":{"type":"none"}}}
            """);
        var credentials = VaultCredentials.Create(server.Store, new SecretCipher(server.Key), server.Clock, allowPrivateEgress: true);
        var error = await Assert.ThrowsAsync<McpCredentialException>(() => credentials.GetTokenAsync(
            new McpCredentialRequest(server.WorkspaceId, "sesn_011CZkYpogX7uDKUyvBTophP", [vault], "docs", "https://huge.example.com/mcp"), CancellationToken.None));
        Assert.Contains("more than 64 KiB", error.Message);
    }
}
