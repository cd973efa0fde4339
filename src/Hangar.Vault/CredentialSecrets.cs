using System.Security.Cryptography;
using System.Text.Json;
using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// A credential's write-only fields (<c>token</c>, <c>access_token</c>, <c>refresh_token</c>,
/// <c>client_secret</c>, <c>secret_value</c>) as one sealed JSON object per credential.
/// </summary>
public sealed class CredentialSecrets(SecretCipher cipher)
{
    public SecretCipher Cipher => cipher;

    public SealedSecretRecord Seal(
        string workspaceId, string vaultId, string credentialId, IReadOnlyDictionary<string, string> fields, DateTimeOffset now)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(fields);
        try
        {
            var sealedSecret = cipher.Seal(credentialId, plaintext);
            return new SealedSecretRecord(credentialId, workspaceId, vaultId, sealedSecret.KeyId, sealedSecret.Nonce, sealedSecret.Ciphertext, now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public Dictionary<string, string> Open(SealedSecretRecord record)
    {
        var plaintext = cipher.Open(record.CredentialId, new SealedSecret(record.KeyId, record.Nonce, record.Ciphertext));
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext)
                ?? throw new SecretUnreadableException($"The stored secret of credential {record.CredentialId} is empty.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
