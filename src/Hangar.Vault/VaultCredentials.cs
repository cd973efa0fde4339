using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Mcp;
using Hangar.Storage;
using Hangar.Tools.Network;

namespace Hangar.Vault;

/// <summary>
/// The harness's MCP credentials from the session's vaults: the first vault (in <c>vault_ids</c> order)
/// with an active <c>mcp_oauth</c>/<c>static_bearer</c> credential for the server URL wins. OAuth tokens
/// expiring within <see cref="RefreshMargin"/> are refreshed first and written back sealed. Every call
/// leaves an audit row (no secrets in it).
/// </summary>
public sealed class VaultCredentials : IMcpCredentials
{
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly IHangarStore _store;
    private readonly CredentialSecrets _secrets;
    private readonly TimeProvider _time;
    private readonly TokenRefresher _refresher;
    // One refresh at a time per credential in this process, so a rotating refresh token isn't spent twice.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _refreshGates = new(StringComparer.Ordinal);

    public VaultCredentials(IHangarStore store, SecretCipher cipher, TimeProvider time, HttpClient tokenEndpoints)
    {
        _store = store;
        _secrets = new CredentialSecrets(cipher);
        _time = time;
        _refresher = new TokenRefresher(tokenEndpoints);
    }

    /// <summary>
    /// The production wiring: token endpoints reached through <see cref="GuardedHttpHandler"/> (SSRF rules; private
    /// addresses only with <paramref name="allowPrivateEgress"/>, default none).
    /// </summary>
    public static VaultCredentials Create(IHangarStore store, SecretCipher cipher, TimeProvider time, PrivateEgressAllowlist? allowPrivateEgress = null) =>
        new(store, cipher, time, new HttpClient(GuardedHttpHandler.Create(allowPrivateEgress ?? PrivateEgressAllowlist.None, TimeSpan.FromSeconds(10)))
        {
            Timeout = TimeSpan.FromSeconds(30),
        });

    public async Task<McpToken?> GetTokenAsync(McpCredentialRequest request, CancellationToken ct)
    {
        foreach (var vaultId in request.VaultIds)
        {
            var vault = await _store.Resources.GetAsync(ResourceKind.Vault, request.WorkspaceId, vaultId, ct);
            if (vault is null || vault.ArchivedAt is not null)
            {
                var state = vault is null ? "no longer exists" : "is archived";
                await AuditAsync(request, vaultId, null, "vault_archived", $"vault {state}", ct);
                throw new McpCredentialException(
                    $"Vault {vaultId} referenced by this session {state}; its credentials can no longer be used (MCP server '{request.ServerName}').");
            }
            if (await FindAsync(request, vaultId, ct) is { } credential)
            {
                return await UseAsync(request, vaultId, credential, ct);
            }
        }
        // One row per vault searched, so each vault's audit shows the miss (or one unattached row without vaults).
        foreach (var vaultId in request.VaultIds.DefaultIfEmpty())
        {
            await AuditAsync(request, vaultId, null, "not_found", "no credential for this server URL", ct);
        }
        return null;
    }

    private async Task<ResourceRecord?> FindAsync(McpCredentialRequest request, string vaultId, CancellationToken ct)
    {
        var page = await _store.Resources.ListAsync(ResourceKind.VaultCredential, request.WorkspaceId,
            new ResourceQuery(100) { ScopeId = vaultId }, ct);
        return page.Items.FirstOrDefault(record =>
        {
            var auth = Auth(record);
            return (string?)auth["type"] is "mcp_oauth" or "static_bearer"
                && McpServerUrl.Same((string?)auth["mcp_server_url"], request.ServerUrl);
        });
    }

    private async Task<McpToken> UseAsync(McpCredentialRequest request, string vaultId, ResourceRecord credential, CancellationToken ct)
    {
        var fields = await OpenAsync(request, vaultId, credential, ct);
        var auth = Auth(credential);
        if ((string?)auth["type"] == "static_bearer")
        {
            await AuditAsync(request, vaultId, credential.Id, "used", null, ct);
            return new McpToken(fields.GetValueOrDefault("token") ?? "", vaultId, credential.Id);
        }
        if (!NeedsRefresh(auth))
        {
            await AuditAsync(request, vaultId, credential.Id, "used", null, ct);
            return new McpToken(fields.GetValueOrDefault("access_token") ?? "", vaultId, credential.Id);
        }

        var gate = _refreshGates.GetOrAdd(credential.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            // Another caller may have refreshed while this one waited: read the row again.
            credential = await _store.Resources.GetAsync(ResourceKind.VaultCredential, request.WorkspaceId, credential.Id, ct) ?? credential;
            auth = Auth(credential);
            fields = await OpenAsync(request, vaultId, credential, ct);
            if (!NeedsRefresh(auth))
            {
                await AuditAsync(request, vaultId, credential.Id, "used", null, ct);
                return new McpToken(fields.GetValueOrDefault("access_token") ?? "", vaultId, credential.Id);
            }
            return await RefreshAsync(request, vaultId, credential, auth, fields, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<McpToken> RefreshAsync(
        McpCredentialRequest request, string vaultId, ResourceRecord credential, JsonObject auth, Dictionary<string, string> fields, CancellationToken ct)
    {
        TokenRefresher.Refreshed refreshed;
        try
        {
            refreshed = await _refresher.RefreshAsync((JsonObject)auth["refresh"]!, fields, ct);
        }
        catch (RefreshException e)
        {
            var message = $"Refreshing the OAuth token of vault credential {credential.Id} (vault {vaultId}) failed: {e.Message}.";
            await AuditAsync(request, vaultId, credential.Id, "refresh_failed", e.Message, ct);
            throw new McpCredentialException(message);
        }
        var now = _time.GetUtcNow();
        fields["access_token"] = refreshed.AccessToken;
        if (refreshed.RefreshToken is { } rotated)
        {
            fields["refresh_token"] = rotated;
        }
        var json = (JsonObject)JsonNode.Parse(credential.Json)!;
        json["auth"]!["expires_at"] = refreshed.ExpiresIn is { } ttl ? Timestamp(now + ttl) : null;
        json["updated_at"] = Timestamp(now);
        var sealedSecret = _secrets.Seal(request.WorkspaceId, vaultId, credential.Id, fields, now);
        // A concurrent update of the credential wins; the fresh token is still good for this call.
        await _store.Vaults.ReplaceCredentialAsync(credential with { Json = json.ToJsonString() }, credential.Revision, sealedSecret, purgeSecret: false, ct);
        await AuditAsync(request, vaultId, credential.Id, "refreshed", null, ct);
        return new McpToken(refreshed.AccessToken, vaultId, credential.Id);
    }

    /// <summary>OAuth tokens with a refresh config whose expiry is past or within the margin.</summary>
    private bool NeedsRefresh(JsonObject auth) =>
        auth["refresh"] is JsonObject
        && (string?)auth["expires_at"] is { } expiresAt
        && DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry)
        && expiry - _time.GetUtcNow() <= RefreshMargin;

    private async Task<Dictionary<string, string>> OpenAsync(McpCredentialRequest request, string vaultId, ResourceRecord credential, CancellationToken ct)
    {
        var stored = await _store.Vaults.GetSecretAsync(request.WorkspaceId, credential.Id, ct);
        if (stored is null)
        {
            await AuditAsync(request, vaultId, credential.Id, "unreadable", "no stored secret", ct);
            throw new McpCredentialException($"Vault credential {credential.Id} has no stored secret; update the credential with a new one.");
        }
        try
        {
            return _secrets.Open(stored);
        }
        catch (SecretUnreadableException e)
        {
            await AuditAsync(request, vaultId, credential.Id, "unreadable", e.Message, ct);
            throw new McpCredentialException(e.Message);
        }
    }

    private Task AuditAsync(McpCredentialRequest request, string? vaultId, string? credentialId, string outcome, string? detail, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        return _store.Vaults.AppendAuditAsync(new CredentialAuditRecord(
            Ids.New(Ids.CredentialAudit, now), request.WorkspaceId, vaultId, credentialId, request.SessionId,
            request.ServerName, McpServerUrl.Normalize(request.ServerUrl) ?? "(not an http(s) URL)", outcome, detail, now), ct);
    }

    private static JsonObject Auth(ResourceRecord record) => (JsonObject)JsonNode.Parse(record.Json)!["auth"]!;

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
