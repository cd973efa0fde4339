using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Harness.Turns;
using Hangar.Storage;
using Hangar.Tools;

namespace Hangar.Vault;

/// <summary>
/// The sandbox's <c>environment_variable</c> credentials from the session's vaults: the first vault in
/// <c>vault_ids</c> order with an active credential of a given <c>secret_name</c> wins. Each credential gets a
/// placeholder derived from the session and credential ids: stable across the session's sandboxes (a process
/// that saved it keeps working after a restart or a rotation) and unique per session, so a placeholder seen
/// in one session's sandbox means nothing to any other session's proxy.
/// </summary>
public sealed class VaultSandboxSecrets(IHangarStore store, SecretCipher cipher) : ISandboxSecrets
{
    public const string PlaceholderPrefix = "hangar_secret_placeholder_";
    private readonly CredentialSecrets _secrets = new(cipher);

    public async Task<IReadOnlyList<SandboxSecret>> ForSessionAsync(
        string workspaceId, string sessionId, IReadOnlyList<string> vaultIds, CancellationToken ct)
    {
        var found = new Dictionary<string, SandboxSecret>(StringComparer.Ordinal);
        foreach (var vaultId in vaultIds)
        {
            var vault = await store.Resources.GetAsync(ResourceKind.Vault, workspaceId, vaultId, ct);
            if (vault is null || vault.ArchivedAt is not null)
            {
                continue; // An archived vault's credentials were purged; the MCP path reports it.
            }
            var page = await store.Resources.ListAsync(ResourceKind.VaultCredential, workspaceId, new ResourceQuery(100) { ScopeId = vaultId }, ct);
            foreach (var credential in page.Items)
            {
                var auth = JsonNode.Parse(credential.Json)?["auth"] as JsonObject;
                if ((string?)auth?["type"] != "environment_variable" || (string?)auth["secret_name"] is not { } name || found.ContainsKey(name))
                {
                    continue;
                }
                found[name] = await OpenAsync(workspaceId, sessionId, credential.Id, name, auth, ct);
            }
        }
        return [.. found.Values];
    }

    /// <summary>The placeholder a session's sandbox sees for one credential.</summary>
    public static string Placeholder(string sessionId, string credentialId) =>
        PlaceholderPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"hangar env secret\n{sessionId}\n{credentialId}")))[..40];

    private async Task<SandboxSecret> OpenAsync(
        string workspaceId, string sessionId, string credentialId, string name, JsonObject auth, CancellationToken ct)
    {
        var stored = await store.Vaults.GetSecretAsync(workspaceId, credentialId, ct)
            ?? throw new SandboxProvisioningException($"Vault credential {credentialId} ({name}) has no stored secret; update it with a new one.");
        string value;
        try
        {
            value = _secrets.Open(stored).GetValueOrDefault("secret_value") ?? "";
        }
        catch (SecretUnreadableException e)
        {
            throw new SandboxProvisioningException($"Vault credential {credentialId} ({name}) cannot be opened: {e.Message}");
        }
        var networking = auth["networking"] as JsonObject;
        IReadOnlyList<string>? hosts = (string?)networking?["type"] == "limited"
            ? [.. (networking!["allowed_hosts"] as JsonArray ?? []).Select(h => (string)h!)]
            : null;
        var location = auth["injection_location"] as JsonObject;
        return new SandboxSecret(name, Placeholder(sessionId, credentialId), value, hosts,
            (bool?)location?["header"] ?? true, (bool?)location?["body"] ?? true);
    }
}
