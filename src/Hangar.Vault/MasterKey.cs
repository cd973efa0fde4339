using System.Security.Cryptography;

namespace Hangar.Vault;

/// <summary>
/// A 256-bit master key and its id: the first 8 hex digits of the key's SHA-256, stored next to every
/// ciphertext so the right key is picked after a rotation (the id reveals nothing usable about the key).
/// </summary>
public sealed class MasterKey
{
    public const int Length = 32;

    private MasterKey(byte[] bytes)
    {
        Bytes = bytes;
        Id = Convert.ToHexStringLower(SHA256.HashData(bytes))[..8];
    }

    internal byte[] Bytes { get; }

    public string Id { get; }

    public static MasterKey FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length
            ? new MasterKey(bytes.ToArray())
            : throw new VaultKeyException($"A master key must be exactly {Length} bytes (got {bytes.Length}).");

    /// <summary>Parses base64 of 32 bytes; <paramref name="source"/> names where it came from, for the error.</summary>
    public static MasterKey Parse(string base64, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new VaultKeyException($"{source} is not valid base64; generate a key with `openssl rand -base64 32`.");
        }
        return bytes.Length == Length
            ? new MasterKey(bytes)
            : throw new VaultKeyException(
                $"{source} must be base64 of exactly {Length} bytes (got {bytes.Length}); generate one with `openssl rand -base64 32`.");
    }

    /// <summary>A fresh random key (tests, and <c>hangar vault new-key</c>-style tooling).</summary>
    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    public string ToBase64() => Convert.ToBase64String(Bytes);

    public override string ToString() => $"MasterKey({Id})";
}

/// <summary>The master key configuration is missing or wrong; the message says what to set.</summary>
public class VaultKeyException(string message) : Exception(message);

/// <summary>A stored secret could not be opened (wrong key, tampered or moved ciphertext).</summary>
public sealed class SecretUnreadableException(string message) : Exception(message);
