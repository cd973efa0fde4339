using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Vault;

/// <summary>
/// A <c>github_repository</c> resource's authorization token as kept in the stored session's private section:
/// sealed under the master key like any vault secret (<c>{key_id, nonce, ciphertext}</c>, bound to the session
/// and resource ids). Never stored in plaintext: without a master key <see cref="Seal"/> refuses. Tokens stored
/// as plain strings by older versions still open, and <c>hangar vault rotate-key</c> seals them.
/// </summary>
public static class ResourceTokens
{
    /// <summary>The sealed token; throws <see cref="VaultKeyException"/> when no master key is configured.</summary>
    public static JsonNode Seal(SecretCipher cipher, string sessionId, string resourceId, string token)
    {
        if (!cipher.HasKey)
            throw new VaultKeyException($"Repository authorization tokens cannot be stored: no master key is configured; {SecretCipher.SetKeyHint}, then restart Hangar.");
        var plaintext = Encoding.UTF8.GetBytes(token);
        try
        {
            var sealedSecret = cipher.Seal(Binding(sessionId, resourceId), plaintext);
            return new JsonObject
            {
                ["key_id"] = sealedSecret.KeyId,
                ["nonce"] = Convert.ToBase64String(sealedSecret.Nonce),
                ["ciphertext"] = Convert.ToBase64String(sealedSecret.Ciphertext),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The token; throws <see cref="SecretUnreadableException"/> when it is sealed under an unknown key or altered.</summary>
    public static string Open(SecretCipher cipher, string sessionId, string resourceId, JsonNode stored)
    {
        if (stored is JsonValue plain)
            return (string)plain!;
        if (stored is not JsonObject { } sealedJson || (string?)sealedJson["key_id"] is not { } keyId
            || (string?)sealedJson["nonce"] is not { } nonce || (string?)sealedJson["ciphertext"] is not { } ciphertext)
            throw new SecretUnreadableException($"The stored token of resource {resourceId} is malformed.");
        var bytes = cipher.Open(Binding(sessionId, resourceId), new SealedSecret(keyId, Convert.FromBase64String(nonce), Convert.FromBase64String(ciphertext)));
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The tokens section (resource id → stored token) of a stored session's JSON, or null when it has none.</summary>
    public static JsonObject? InSession(JsonObject session) => session["_hangar"]?["resource_tokens"] as JsonObject;

    /// <summary>The id of the key that sealed <paramref name="stored"/>, or null for a legacy plaintext token.</summary>
    public static string? KeyIdOf(JsonNode stored) => stored is JsonObject sealedJson ? (string?)sealedJson["key_id"] : null;

    private static string Binding(string sessionId, string resourceId) => $"session-resource:{sessionId}/{resourceId}";
}
