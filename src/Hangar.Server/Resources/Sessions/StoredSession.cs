using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// A session as stored: the wire object plus a private <c>_hangar</c> section for what must be
/// kept but never returned (github authorization tokens, always sealed under the master key). <see cref="ToWire"/> strips it.
/// </summary>
public sealed class StoredSession(ResourceRecord record, JsonObject json)
{
    private const string PrivateKey = "_hangar";
    private const string TokensKey = "resource_tokens";

    public ResourceRecord Record { get; } = record;

    /// <summary>The mutable stored object; changes are written back by <see cref="SessionRepository.UpdateAsync"/>.</summary>
    public JsonObject Json { get; } = json;

    public string Id => Record.Id;

    public string Status => (string)Json["status"]!;

    public bool IsArchived => Record.ArchivedAt is not null;

    public JsonArray Resources => (JsonArray)Json["resources"]!;

    public static StoredSession From(ResourceRecord record) =>
        new(record, JsonNode.Parse(record.Json) as JsonObject
            ?? throw new InvalidDataException($"Session {record.Id} has corrupt JSON."));

    /// <summary>The object clients see.</summary>
    public JsonObject ToWire()
    {
        var wire = (JsonObject)Json.DeepClone();
        wire.Remove(PrivateKey);
        return wire;
    }

    public void RemoveResourceToken(string resourceId) => (Json[PrivateKey]?[TokensKey] as JsonObject)?.Remove(resourceId);

    public void SetResourceToken(string resourceId, string? token, SecretCipher cipher)
    {
        if (Json[PrivateKey] is not JsonObject hidden)
        {
            Json[PrivateKey] = hidden = new JsonObject();
        }
        if (hidden[TokensKey] is not JsonObject tokens)
        {
            hidden[TokensKey] = tokens = new JsonObject();
        }
        if (token is null)
        {
            tokens.Remove(resourceId);
        }
        else
        {
            try
            {
                tokens[resourceId] = ResourceTokens.Seal(cipher, Id, resourceId, token);
            }
            catch (VaultKeyException e)
            {
                // Never kept in plaintext: without a key (PostgreSQL with no HANGAR_MASTER_KEY) the token is refused.
                throw new InvalidRequestException($"authorization_token: {e.Message}", "vault_master_key_missing");
            }
        }
    }

    /// <summary>The stored row for this object, keeping the indexed columns in step with the JSON.</summary>
    public ResourceRecord ToRecord(DateTimeOffset? archivedAt)
    {
        var agent = (JsonObject)Json["agent"]!;
        return Record with
        {
            Json = Json.ToJsonString(),
            ArchivedAt = archivedAt,
            Session = new SessionColumns((string)agent["id"]!, (int)agent["version"]!, Status),
        };
    }
}
