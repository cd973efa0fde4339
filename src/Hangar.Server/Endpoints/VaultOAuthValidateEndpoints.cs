using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Storage;
using Hangar.Tools.Network;
using Hangar.Vault;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>POST /v1/vaults/{id}/credentials/{cid}/mcp_oauth_validate</c>: live-probes an <c>mcp_oauth</c>
/// credential by sending the MCP <c>initialize</c> request to its server with the stored access
/// token, and reports a <c>vault_credential_validation</c>: <c>valid</c> (2xx), <c>invalid</c> (401/403,
/// or no access token stored) or <c>unknown</c> (any other answer, or none). The probe never spends
/// the refresh token (<c>refresh</c> is always null): a rotating refresh token used here and not
/// written back would break the credential, and sessions refresh on use anyway. The server URL is
/// reached through the same SSRF guard as MCP calls (private addresses only when allowlisted).
/// </summary>
public static class VaultOAuthValidateEndpoints
{
    public const int MaxBodyChars = 2048;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapVaultOAuthValidate(this RouteGroupBuilder v1)
    {
        v1.MapPost("/vaults/{vaultId}/credentials/{id}/mcp_oauth_validate", ValidateAsync).WithTags("Vaults");
        return v1;
    }

    private static async Task<IResult> ValidateAsync(
        HttpContext context, IHangarStore store, CredentialSecrets secrets, HangarServerOptions options, TimeProvider time, string vaultId, string id)
    {
        var vault = await VaultEndpoints.LoadAsync(context, store, vaultId);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.VaultCredential, vault.WorkspaceId, id, context.RequestAborted);
        var credential = ResourceLookup.Parse(record);
        if ((string?)credential["vault_id"] != vault.Id)
        {
            throw new NotFoundException($"No vault credential with id '{id}' exists in vault '{vault.Id}'.");
        }
        var auth = (JsonObject)credential["auth"]!;
        if ((string?)auth["type"] != "mcp_oauth")
        {
            throw new InvalidRequestException(
                $"auth.type: only mcp_oauth credentials can be validated; this one is {(string?)auth["type"]}.");
        }
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This credential is archived; its secret is gone, so there is nothing to validate.", "vault_credential_archived");
        }
        var sealedSecret = await store.Vaults.GetSecretAsync(vault.WorkspaceId, id, context.RequestAborted);
        var fields = sealedSecret is null ? [] : secrets.Open(sealedSecret);
        var accessToken = fields.GetValueOrDefault("access_token");
        var hasRefreshToken = fields.GetValueOrDefault("refresh_token") is { Length: > 0 };

        var (status, probe) = accessToken is { Length: > 0 }
            ? await ProbeAsync((string)auth["mcp_server_url"]!, accessToken, options, context.RequestAborted)
            : ("invalid", null);
        return WireResults.Json(new JsonObject
        {
            ["type"] = "vault_credential_validation",
            ["credential_id"] = id,
            ["vault_id"] = vault.Id,
            ["validated_at"] = WireJson.Timestamp(time.GetUtcNow()),
            ["status"] = status,
            ["has_refresh_token"] = hasRefreshToken,
            ["mcp_probe"] = probe,
            ["refresh"] = null,
        });
    }

    /// <summary>The verdict and, unless the probe succeeded, the failing step (<c>mcp_probe</c>).</summary>
    private static async Task<(string Status, JsonObject? Probe)> ProbeAsync(
        string serverUrl, string accessToken, HangarServerOptions options, CancellationToken ct)
    {
        var allowlist = options.Workers.AllowPrivateEgress ?? PrivateEgressAllowlist.None;
        using var http = new HttpClient(GuardedHttpHandler.Create(allowlist, ProbeTimeout)) { Timeout = ProbeTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, serverUrl)
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"hangar-credential-validation","version":"1"}}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return ("valid", null);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            var truncated = body.Length > MaxBodyChars;
            var captured = new JsonObject
            {
                ["status_code"] = code,
                // The SDKs type content_type as a required string: a response without the header reads as "".
                ["content_type"] = response.Content.Headers.ContentType?.ToString() ?? "",
                // Scrubbed: a server that echoes the token must not leak it through the API.
                ["body"] = (truncated ? body[..MaxBodyChars] : body).Replace(accessToken, "[redacted]", StringComparison.Ordinal),
                ["body_truncated"] = truncated,
            };
            var status = code is 401 or 403 ? "invalid" : "unknown";
            return (status, new JsonObject { ["method"] = "initialize", ["http_response"] = captured });
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // DNS, TLS, refused, timed out or refused by the egress guard: no response to show.
            return ("unknown", new JsonObject { ["method"] = "initialize", ["http_response"] = null });
        }
    }
}
