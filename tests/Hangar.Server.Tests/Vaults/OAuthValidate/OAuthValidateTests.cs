using System.Net;
using System.Text.Json.Nodes;
using Hangar.Tools.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Hangar.Server.Tests.Vaults.OAuthValidate;

/// <summary>The server allowed to reach loopback MCP servers, as an operator would allowlist an internal one.</summary>
public sealed class LoopbackVaultServerFixture : VaultServerFixture
{
    protected override HangarServerOptions Configure(HangarServerOptions options) =>
        base.Configure(options) with { Workers = options.Workers with { AllowPrivateEgress = PrivateEgressAllowlist.Parse("127.0.0.1") } };
}

/// <summary>
/// <c>mcp_oauth_validate</c> probes a real MCP endpoint on loopback with the stored access token:
/// accepted → valid, 401 → invalid with the captured response (token scrubbed), unreachable →
/// unknown; unknown ids → 404, other credential types → 400.
/// </summary>
public sealed class OAuthValidateTests(LoopbackVaultServerFixture server) : IClassFixture<LoopbackVaultServerFixture>, IAsyncLifetime
{
    private WebApplication _mcp = null!;
    private string _mcpUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _mcp = builder.Build();
        _mcp.MapPost("/mcp", (HttpContext context) => context.Request.Headers.Authorization.ToString() == "Bearer GOOD-TOKEN"
            ? Results.Json(new { jsonrpc = "2.0", id = 1, result = new { protocolVersion = "2025-06-18" } })
            : Results.Content($"{{\"error\":\"invalid_token\",\"seen\":\"{context.Request.Headers.Authorization}\"}}", "application/json", statusCode: 401));
        await _mcp.StartAsync();
        _mcpUrl = ServerAddresses.Of(_mcp) + "mcp";
    }

    public async Task DisposeAsync()
    {
        await _mcp.StopAsync();
        await _mcp.DisposeAsync();
    }

    [Fact]
    public async Task A_token_the_server_accepts_is_valid()
    {
        var (vault, credential) = await CredentialAsync(_mcpUrl, "GOOD-TOKEN", refresh: false);

        var result = await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{credential}/mcp_oauth_validate");

        Assert.Equal("vault_credential_validation", (string?)result["type"]);
        Assert.Equal(credential, (string?)result["credential_id"]);
        Assert.Equal(vault, (string?)result["vault_id"]);
        Assert.Equal("valid", (string?)result["status"]);
        Assert.False((bool)result["has_refresh_token"]!);
        Assert.True(result.ContainsKey("mcp_probe") && result["mcp_probe"] is null);
        Assert.True(result.ContainsKey("refresh") && result["refresh"] is null);
        Assert.NotNull((string?)result["validated_at"]);
    }

    [Fact]
    public async Task A_rejected_token_is_invalid_and_the_captured_response_never_shows_it()
    {
        var (vault, credential) = await CredentialAsync(_mcpUrl, "STALE-TOKEN", refresh: true);

        var result = await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{credential}/mcp_oauth_validate");

        Assert.Equal("invalid", (string?)result["status"]);
        Assert.True((bool)result["has_refresh_token"]!);
        var probe = Assert.IsType<JsonObject>(result["mcp_probe"]);
        Assert.Equal("initialize", (string?)probe["method"]);
        Assert.Equal(401, (int)probe["http_response"]!["status_code"]!);
        Assert.StartsWith("application/json", (string?)probe["http_response"]!["content_type"]);
        Assert.False((bool)probe["http_response"]!["body_truncated"]!);
        Assert.Contains("invalid_token", (string?)probe["http_response"]!["body"]);
        Assert.DoesNotContain("STALE-TOKEN", result.ToJsonString());
    }

    [Fact]
    public async Task An_unreachable_server_is_unknown()
    {
        var (vault, credential) = await CredentialAsync("http://127.0.0.1:1/mcp", "GOOD-TOKEN", refresh: false);

        var result = await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{credential}/mcp_oauth_validate");

        Assert.Equal("unknown", (string?)result["status"]);
        Assert.Equal("initialize", (string?)result["mcp_probe"]!["method"]);
        Assert.Null(result["mcp_probe"]!["http_response"]);
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_other_credential_types_400()
    {
        var (vault, credential) = await CredentialAsync(_mcpUrl, "GOOD-TOKEN", refresh: false);
        var bearer = (string)(await server.CredentialAsync(vault, $$"""{"type":"static_bearer","mcp_server_url":"{{_mcpUrl}}/other","token":"t"}"""))["id"]!;

        var (unknownCredential, body1) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vault}/credentials/vcrd_011CZkZEMt8gZan2iYPQfSkw/mcp_oauth_validate");
        var (unknownVault, body2) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv/credentials/{credential}/mcp_oauth_validate");
        var (otherWorkspace, _) = await ServerFixture.SendAsync(server.OtherClient, HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{credential}/mcp_oauth_validate");
        var (wrongType, body3) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{bearer}/mcp_oauth_validate");

        Assert.Equal(404, unknownCredential);
        Assert.Equal("not_found_error", (string?)body1!["error"]!["type"]);
        Assert.Equal(404, unknownVault);
        Assert.Equal("not_found_error", (string?)body2!["error"]!["type"]);
        Assert.Equal(404, otherWorkspace);
        Assert.Equal(400, wrongType);
        Assert.Contains("auth.type", (string?)body3!["error"]!["message"]);
    }

    private async Task<(string Vault, string Credential)> CredentialAsync(string url, string token, bool refresh)
    {
        var vault = await server.VaultAsync();
        var refreshJson = refresh
            ? ""","refresh":{"client_id":"c","refresh_token":"RT","token_endpoint":"https://auth.example.com/token","token_endpoint_auth":{"type":"none"}}"""
            : "";
        var credential = await server.CredentialAsync(vault, $$"""{"type":"mcp_oauth","mcp_server_url":"{{url}}","access_token":"{{token}}"{{refreshJson}}}""");
        return (vault, (string)credential["id"]!);
    }
}
