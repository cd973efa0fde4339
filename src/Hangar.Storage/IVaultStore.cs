namespace Hangar.Storage;

/// <summary>
/// Vault credential secrets (sealed by Hangar.Vault; this store never sees plaintext) and the
/// audit of their use. Credential rows themselves are resources (<see cref="ResourceKind.VaultCredential"/>);
/// the methods here write a row and its secret in one transaction so neither exists without the other.
/// </summary>
public interface IVaultStore
{
    /// <summary>Inserts the credential row and (when given) its secret in one transaction.</summary>
    Task CreateCredentialAsync(ResourceRecord credential, SealedSecretRecord? secret, CancellationToken ct);

    /// <summary>
    /// Replaces the credential row (revision check as <see cref="IResourceStore.ReplaceAsync"/>) and, in the
    /// same transaction, stores <paramref name="secret"/> when given or deletes the stored one when
    /// <paramref name="purgeSecret"/> (archiving). Returns false and writes nothing on a revision mismatch.
    /// </summary>
    Task<bool> ReplaceCredentialAsync(ResourceRecord credential, long expectedRevision, SealedSecretRecord? secret, bool purgeSecret, CancellationToken ct);

    Task<SealedSecretRecord?> GetSecretAsync(string workspaceId, string credentialId, CancellationToken ct);

    /// <summary>
    /// Re-seals one secret (key rotation): writes <paramref name="next"/> only while the stored row still
    /// has <paramref name="expectedNonce"/>. Returns whether it was written.
    /// </summary>
    Task<bool> ResealAsync(SealedSecretRecord next, byte[] expectedNonce, CancellationToken ct);

    /// <summary>Every stored secret of every workspace, in credential id order after <paramref name="afterCredentialId"/>.</summary>
    Task<IReadOnlyList<SealedSecretRecord>> ListSecretsAsync(string? afterCredentialId, int limit, CancellationToken ct);

    /// <summary>How many secrets are stored (any workspace); start-up refuses to run without a key when above 0.</summary>
    Task<long> CountSecretsAsync(CancellationToken ct);

    /// <summary>
    /// Sessions of every workspace whose stored JSON holds <c>github_repository</c> tokens (the private
    /// <c>_hangar.resource_tokens</c> section), in id order after <paramref name="afterSessionId"/>: what key
    /// rotation and the start-up key check read. May include a few rows without tokens; callers parse each.
    /// </summary>
    Task<IReadOnlyList<ResourceRecord>> ListSessionsWithResourceTokensAsync(string? afterSessionId, int limit, CancellationToken ct);

    Task AppendAuditAsync(CredentialAuditRecord entry, CancellationToken ct);

    /// <summary>A vault's audit entries, newest first, before <paramref name="beforeId"/> when given.</summary>
    Task<Page<CredentialAuditRecord>> ListAuditAsync(string workspaceId, string vaultId, int limit, string? beforeId, CancellationToken ct);
}

/// <summary>
/// A credential's secret fields as ciphertext: AES-256-GCM under the master key <see cref="KeyId"/> names,
/// with the credential id as associated data; <see cref="Ciphertext"/> ends with the 16-byte tag.
/// </summary>
public sealed record SealedSecretRecord(
    string CredentialId, string WorkspaceId, string VaultId, string KeyId, byte[] Nonce, byte[] Ciphertext, DateTimeOffset UpdatedAt);

/// <summary>
/// One use (or attempted use) of a vault for an MCP server by a session. <see cref="Outcome"/> is
/// <c>used</c>, <c>refreshed</c>, <c>refresh_failed</c>, <c>not_found</c> or <c>vault_archived</c>.
/// Never holds a secret.
/// </summary>
public sealed record CredentialAuditRecord(
    string Id,
    string WorkspaceId,
    string? VaultId,
    string? CredentialId,
    string SessionId,
    string ServerName,
    string ServerUrl,
    string Outcome,
    string? Detail,
    DateTimeOffset CreatedAt);
