using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// The start-up rule: without a master key Hangar runs only while no secret is stored (credential
/// creation then fails and says what to set); once secrets exist it refuses to start without a key
/// that opens them, rather than failing later mid-session.
/// </summary>
public static class VaultStartup
{
    public static async Task CheckAsync(IVaultStore vaults, SecretCipher cipher, CancellationToken ct)
    {
        var count = await vaults.CountSecretsAsync(ct);
        if (count == 0)
        {
            return;
        }
        if (!cipher.HasKey)
        {
            throw new VaultKeyException(
                $"The store holds {count} encrypted vault credential secret(s) but no master key is configured; {SecretCipher.SetKeyHint} "
                + "to the key they were stored with.");
        }
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await vaults.ListSecretsAsync(after, 500, ct);
            foreach (var secret in page.Where(s => !cipher.Knows(s.KeyId)))
            {
                unknown.Add(secret.KeyId);
            }
            if (page.Count < 500)
            {
                break;
            }
            after = page[^1].CredentialId;
        }
        if (unknown.Count > 0)
        {
            throw new VaultKeyException(
                $"Stored vault secrets are sealed with master key id(s) {string.Join(", ", unknown)}, but {SecretCipher.KeyVariable} is key "
                + $"{cipher.Current!.Id}; set the key they were stored with (or pass it as {SecretCipher.PreviousKeyVariable} and run `hangar vault rotate-key`).");
        }
    }
}
