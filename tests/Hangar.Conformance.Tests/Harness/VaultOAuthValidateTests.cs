using Anthropic;
using Anthropic.Models.Beta.Vaults.Credentials;
using Hangar.Conformance.Tests.Harness.Vaults;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// <c>mcp_oauth_validate</c> through the official SDK (<c>Credentials.McpOAuthValidate</c>, issue 15 item 6):
/// Hangar probes a real MCP server on loopback with the stored access token; a token it accepts is
/// <c>valid</c>, a 401 is <c>invalid</c> with the probe's captured response, and the token never comes back in any response.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class VaultOAuthValidateTests(VaultHangar hangar) : IClassFixture<VaultHangar>
{
    [Fact]
    public async Task A_token_the_mcp_server_accepts_is_valid()
    {
        var ct = Timeouts.Test();
        var token = hangar.Secret("validate-good-token");
        await using var mcp = await BearerMcpServer.StartAsync(token, ct);
        var client = hangar.Client();
        var (vaultId, credential) = await OAuthCredentialAsync(client, mcp.Url, token, ct);

        var result = await client.Beta.Vaults.Credentials.McpOAuthValidate(
            credential.ID, new CredentialMcpOAuthValidateParams { VaultID = vaultId }, ct);

        result.Validate();
        Assert.Equal(BetaManagedAgentsCredentialValidationStatus.Valid, result.Status.Value());
        Assert.Equal(credential.ID, result.CredentialID);
        Assert.Equal(vaultId, result.VaultID);
        Assert.False(result.HasRefreshToken);
        Assert.Null(result.McpProbe);
        Assert.Contains("Bearer " + token, mcp.AuthorizationHeaders);
        Assert.DoesNotContain(hangar.Responses, response => response.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_the_mcp_server_rejects_with_401_is_invalid()
    {
        var ct = Timeouts.Test();
        await using var mcp = await BearerMcpServer.StartAsync(hangar.Secret("validate-server-token"), ct);
        var client = hangar.Client();
        var stale = hangar.Secret("validate-stale-token");
        var (vaultId, credential) = await OAuthCredentialAsync(client, mcp.Url, stale, ct);

        var result = await client.Beta.Vaults.Credentials.McpOAuthValidate(
            credential.ID, new CredentialMcpOAuthValidateParams { VaultID = vaultId }, ct);

        result.Validate();
        Assert.Equal(BetaManagedAgentsCredentialValidationStatus.Invalid, result.Status.Value());
        var probe = Assert.IsType<BetaManagedAgentsMcpProbe>(result.McpProbe);
        Assert.Equal("initialize", probe.Method);
        // The MCP server's 401 carries no Content-Type; the SDK still reads the probe (content_type "").
        Assert.Equal(401, probe.HttpResponse!.StatusCode);
        Assert.Equal("", probe.HttpResponse.ContentType);
        Assert.Contains("Bearer " + stale, mcp.AuthorizationHeaders);
        Assert.DoesNotContain(hangar.Responses, response => response.Contains(stale, StringComparison.Ordinal));
    }

    private async Task<(string VaultId, BetaManagedAgentsCredential Credential)> OAuthCredentialAsync(
        AnthropicClient client, Uri mcpUrl, string accessToken, CancellationToken ct)
    {
        var vaultId = await McpSessions.VaultAsync(hangar, client, ct);
        var credential = await client.Beta.Vaults.Credentials.Create(
            vaultId,
            new CredentialCreateParams
            {
                Auth = new BetaManagedAgentsMcpOAuthCreateParams { McpServerUrl = mcpUrl.ToString(), AccessToken = accessToken },
            },
            ct);
        credential.Validate();
        return (vaultId, credential);
    }
}
