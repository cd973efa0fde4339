using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// Re-seals every stored secret — vault credential secrets and <c>github_repository</c> tokens — under the
/// current master key (<c>hangar vault rotate-key</c>), and seals tokens older versions stored in plaintext.
/// Run with the new key as <c>HANGAR_MASTER_KEY</c> and the old one as <c>HANGAR_MASTER_KEY_PREVIOUS</c>;
/// afterwards the previous key can be dropped. Safe to re-run and to run while servers are up: each row
/// is rewritten only if unchanged since it was read.
/// </summary>
public static class KeyRotation
{
    private const int MaxTokenAttempts = 5;

    /// <summary>Counts for vault secrets (the positional ones) and for repository tokens.</summary>
    public sealed record Result(int Resealed, int AlreadyCurrent, int Skipped)
    {
        public int TokensResealed { get; init; }
        public int TokensAlreadyCurrent { get; init; }

        /// <summary>Tokens found in plaintext (stored by a version before tokens were always sealed), now sealed.</summary>
        public int PlaintextTokensSealed { get; init; }

        /// <summary>Sessions whose tokens could not be rewritten because the session kept changing; run again.</summary>
        public int TokenSessionsSkipped { get; init; }
    }

    public static async Task<Result> RotateAsync(IHangarStore store, SecretCipher cipher, TimeProvider time, CancellationToken ct)
    {
        var current = cipher.Current ?? throw new VaultKeyException($"Nothing to rotate to: {SecretCipher.SetKeyHint}.");
        var secrets = new CredentialSecrets(cipher);
        int resealed = 0, alreadyCurrent = 0, skipped = 0;
        string? after = null;
        while (true)
        {
            var page = await store.Vaults.ListSecretsAsync(after, 200, ct);
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
                if (await store.Vaults.ResealAsync(next, stored.Nonce, ct))
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
                break;
            }
            after = page[^1].CredentialId;
        }
        return await RotateTokensAsync(store, cipher, new Result(resealed, alreadyCurrent, skipped), ct);
    }

    private static async Task<Result> RotateTokensAsync(IHangarStore store, SecretCipher cipher, Result result, CancellationToken ct)
    {
        await foreach (var (first, _, _) in StoredResourceTokens.ReadAsync(store.Vaults, ct))
        {
            var session = first;
            for (var attempt = 1; ; attempt++)
            {
                if (StoredResourceTokens.Parse(session) is not { } parsed)
                {
                    break;
                }
                var (json, tokens) = parsed;
                var (resealed, current, plaintext) = Reseal(cipher, session.Id, tokens);
                if (resealed + plaintext == 0
                    || await store.Resources.ReplaceAsync(session with { Json = json.ToJsonString() }, session.Revision, ct))
                {
                    result = result with
                    {
                        TokensResealed = result.TokensResealed + resealed,
                        TokensAlreadyCurrent = result.TokensAlreadyCurrent + current,
                        PlaintextTokensSealed = result.PlaintextTokensSealed + plaintext,
                    };
                    break;
                }
                // The session changed since it was read (a turn, an update): read it again and redo its tokens.
                if (attempt == MaxTokenAttempts || await store.Resources.FindAsync(ResourceKind.Session, session.Id, ct) is not { } reread)
                {
                    result = result with { TokenSessionsSkipped = result.TokenSessionsSkipped + (attempt == MaxTokenAttempts ? 1 : 0) };
                    break;
                }
                session = reread;
            }
        }
        return result;
    }

    /// <summary>Seals, in place, every token of one session not sealed under the current key.</summary>
    private static (int Resealed, int Current, int Plaintext) Reseal(SecretCipher cipher, string sessionId, System.Text.Json.Nodes.JsonObject tokens)
    {
        int resealed = 0, current = 0, plaintext = 0;
        foreach (var (resourceId, stored) in tokens.ToList())
        {
            var keyId = stored is null ? null : ResourceTokens.KeyIdOf(stored);
            if (stored is null || keyId == cipher.Current!.Id)
            {
                current += stored is null ? 0 : 1;
                continue;
            }
            // Opening fails loudly (SecretUnreadableException) when the key that sealed it is not supplied.
            var token = ResourceTokens.Open(cipher, sessionId, resourceId, stored);
            tokens[resourceId] = ResourceTokens.Seal(cipher, sessionId, resourceId, token);
            if (keyId is null)
                plaintext++;
            else
                resealed++;
        }
        return (resealed, current, plaintext);
    }
}
