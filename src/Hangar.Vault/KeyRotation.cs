using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// Re-seals every stored secret under the current master key (<c>hangar vault rotate-key</c>).
/// Run with the new key as <c>HANGAR_MASTER_KEY</c> and the old one as <c>HANGAR_MASTER_KEY_PREVIOUS</c>;
/// afterwards the previous key can be dropped. Safe to re-run and to run while servers are up: each row
/// is rewritten only if unchanged since it was read.
/// </summary>
public static class KeyRotation
{
    public sealed record Result(int Resealed, int AlreadyCurrent, int Skipped);

    public static async Task<Result> RotateAsync(IVaultStore vaults, SecretCipher cipher, TimeProvider time, CancellationToken ct)
    {
        var current = cipher.Current ?? throw new VaultKeyException($"Nothing to rotate to: {SecretCipher.SetKeyHint}.");
        var secrets = new CredentialSecrets(cipher);
        int resealed = 0, alreadyCurrent = 0, skipped = 0;
        string? after = null;
        while (true)
        {
            var page = await vaults.ListSecretsAsync(after, 200, ct);
            foreach (var stored in page)
            {
                if (stored.KeyId == current.Id)
                {
                    alreadyCurrent++;
                    continue;
                }
                // Opening fails loudly (SecretUnreadableException) when the old key is not supplied.
                var fields = secrets.Open(stored);
                var next = secrets.Seal(stored.WorkspaceId, stored.VaultId, stored.CredentialId, fields, time.GetUtcNow());
                if (await vaults.ResealAsync(next, stored.Nonce, ct))
                {
                    resealed++;
                }
                else
                {
                    // Rewritten meanwhile (a token refresh seals under the current key) or deleted.
                    skipped++;
                }
            }
            if (page.Count < 200)
            {
                return new Result(resealed, alreadyCurrent, skipped);
            }
            after = page[^1].CredentialId;
        }
    }
}
