using System.Security.Cryptography;
using System.Text;

namespace Hangar.Vault;

/// <summary>
/// Seals credential secrets with AES-256-GCM under the operator's master key. Each ciphertext
/// has a fresh 96-bit nonce and uses the credential id as associated data, so a ciphertext copied
/// onto another credential's row fails to open. Opening accepts the current key and any previous
/// one (rotation); sealing always uses the current key.
/// </summary>
public sealed class SecretCipher
{
    public const string KeyVariable = "HANGAR_MASTER_KEY";
    public const string KeyFileVariable = "HANGAR_MASTER_KEY_FILE";
    public const string PreviousKeyVariable = "HANGAR_MASTER_KEY_PREVIOUS";
    public const string PreviousKeyFileVariable = "HANGAR_MASTER_KEY_PREVIOUS_FILE";
    public const string SetKeyHint =
        "set HANGAR_MASTER_KEY (base64 of 32 random bytes, e.g. from `openssl rand -base64 32`) or HANGAR_MASTER_KEY_FILE";

    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly Dictionary<string, MasterKey> _keys = new(StringComparer.Ordinal);

    public SecretCipher(MasterKey? current, params MasterKey[] previous)
    {
        Current = current;
        foreach (var key in previous.Prepend(current).OfType<MasterKey>())
        {
            _keys.TryAdd(key.Id, key);
        }
    }

    /// <summary>The key new secrets are sealed with; null when the operator configured none.</summary>
    public MasterKey? Current { get; }

    public bool HasKey => Current is not null;

    public bool Knows(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>This cipher, also opening what <paramref name="previous"/> sealed (sealing still uses <see cref="Current"/>).</summary>
    public SecretCipher Accepting(MasterKey previous) =>
        new(Current, [.. _keys.Values.Where(k => !ReferenceEquals(k, Current)), previous]);

    /// <summary>
    /// The keys named by the process environment: <c>HANGAR_MASTER_KEY</c> or <c>HANGAR_MASTER_KEY_FILE</c>
    /// (current), <c>HANGAR_MASTER_KEY_PREVIOUS</c> or <c>…_PREVIOUS_FILE</c> (still accepted for opening).
    /// </summary>
    public static SecretCipher FromEnvironment(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        var current = Read(variable, KeyVariable, KeyFileVariable);
        var previous = Read(variable, PreviousKeyVariable, PreviousKeyFileVariable);
        if (current is null && previous is not null)
        {
            throw new VaultKeyException($"{PreviousKeyVariable} is set but {KeyVariable} is not; {SetKeyHint}.");
        }
        return previous is null ? new SecretCipher(current) : new SecretCipher(current, previous);
    }

    private static MasterKey? Read(Func<string, string?> variable, string name, string fileName)
    {
        if (variable(name) is { Length: > 0 } inline)
        {
            return MasterKey.Parse(inline, name);
        }
        if (variable(fileName) is not { Length: > 0 } path)
        {
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new VaultKeyException($"{fileName}: cannot read '{path}': {e.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new VaultKeyException($"{fileName}: no permission to read '{path}'.");
        }
        return MasterKey.Parse(text, $"{fileName} ({path})");
    }

    /// <summary>Seals <paramref name="plaintext"/> for <paramref name="credentialId"/> under the current key.</summary>
    public SealedSecret Seal(string credentialId, ReadOnlySpan<byte> plaintext)
    {
        var key = Current ?? throw new VaultKeyException($"Credential secrets cannot be stored: no master key is configured; {SetKeyHint}, then restart Hangar.");
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var sealedBytes = new byte[plaintext.Length + TagLength];
        using var aes = new AesGcm(key.Bytes, TagLength);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), Aad(credentialId));
        return new SealedSecret(key.Id, nonce, sealedBytes);
    }

    /// <summary>Opens a sealed secret of <paramref name="credentialId"/>; throws <see cref="SecretUnreadableException"/> when it can't.</summary>
    public byte[] Open(string credentialId, SealedSecret secret)
    {
        if (!_keys.TryGetValue(secret.KeyId, out var key))
        {
            throw new SecretUnreadableException(
                $"The secret of credential {credentialId} is sealed with master key {secret.KeyId}, which is neither "
                + $"{KeyVariable} ({Current?.Id ?? "unset"}) nor {PreviousKeyVariable}.");
        }
        if (secret.Nonce.Length != NonceLength || secret.Ciphertext.Length < TagLength)
        {
            throw new SecretUnreadableException($"The stored secret of credential {credentialId} is malformed.");
        }
        var length = secret.Ciphertext.Length - TagLength;
        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagLength);
            aes.Decrypt(secret.Nonce, secret.Ciphertext.AsSpan(0, length), secret.Ciphertext.AsSpan(length), plaintext, Aad(credentialId));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretUnreadableException(
                $"The stored secret of credential {credentialId} failed authentication (altered, or not this credential's).");
        }
        return plaintext;
    }

    private static byte[] Aad(string credentialId) => Encoding.UTF8.GetBytes("hangar-vault-credential:" + credentialId);
}

/// <summary>A ciphertext (tag appended), its nonce and the id of the master key that sealed it.</summary>
public sealed record SealedSecret(string KeyId, byte[] Nonce, byte[] Ciphertext);
