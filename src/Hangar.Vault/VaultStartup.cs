using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// The start-up rule: without a master key Hangar runs only while no secret is stored (storing one then
/// fails and says what to set); once secrets exist — vault credential secrets or sealed repository tokens —
/// it refuses to start without a key that opens them, rather than failing later mid-session.
/// </summary>
public static class VaultStartup
{
    /// <summary>What the check found that is not fatal.</summary>
    /// <param name="PlaintextTokens">Repository tokens an older version stored in plaintext; <c>hangar vault rotate-key</c> seals them.</param>
    public sealed record Report(int PlaintextTokens);

    public static async Task<Report> CheckAsync(IVaultStore vaults, SecretCipher cipher, CancellationToken ct)
    {
        var count = await vaults.CountSecretsAsync(ct);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (count > 0)
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
        int tokens = 0, plaintext = 0;
        await foreach (var (_, _, stored) in StoredResourceTokens.ReadAsync(vaults, ct))
        {
            foreach (var (_, token) in stored)
            {
                if (token is null)
                    continue;
                if (ResourceTokens.KeyIdOf(token) is not { } keyId)
                {
                    plaintext++;
                    continue;
                }
                tokens++;
                if (!cipher.Knows(keyId))
                    unknown.Add(keyId);
            }
        }
        if (count + tokens > 0 && !cipher.HasKey)
        {
            throw new VaultKeyException(
                $"The store holds {count} encrypted vault credential secret(s) and {tokens} encrypted repository token(s) but no master key "
                + $"is configured; {SecretCipher.SetKeyHint} to the key they were stored with.");
        }
        if (unknown.Count > 0)
        {
            throw new VaultKeyException(
                $"Stored vault secrets or repository tokens are sealed with master key id(s) {string.Join(", ", unknown)}, but the current key is "
                + $"{cipher.Current!.Id}; set the key they were stored with as {SecretCipher.KeyVariable} (or pass it as "
                + $"{SecretCipher.PreviousKeyVariable} and run `hangar vault rotate-key`).");
        }
        return new Report(plaintext);
    }
}
