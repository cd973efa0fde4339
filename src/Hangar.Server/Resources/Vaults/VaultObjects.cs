using System.Text.Json.Nodes;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Vaults;

/// <summary>The wire JSON of vaults and credentials (create and the non-secret parts of updates).</summary>
public static class VaultObjects
{
    public const int MaxDisplayName = 255;

    public static JsonObject NewVault(JsonObject body, string id, DateTimeOffset now)
    {
        JsonFields.RejectUnknown(body, "", "display_name", "metadata");
        var timestamp = WireJson.Timestamp(now);
        return new JsonObject
        {
            ["type"] = "vault",
            ["id"] = id,
            ["display_name"] = JsonFields.RequiredString(body, "display_name", MaxDisplayName),
            ["metadata"] = Metadata.Create(body),
            ["created_at"] = timestamp,
            ["updated_at"] = timestamp,
            ["archived_at"] = null,
        };
    }

    public static JsonObject UpdateVault(JsonObject current, JsonObject body)
    {
        JsonFields.RejectUnknown(body, "", "display_name", "metadata");
        var next = (JsonObject)current.DeepClone();
        if (JsonFields.OptionalString(body, "display_name", MaxDisplayName, minLength: 1) is { } name)
        {
            next["display_name"] = name;
        }
        next["metadata"] = Metadata.Patch((JsonObject)current["metadata"]!, body);
        return next;
    }

    public static JsonObject NewCredential(JsonObject body, string id, string vaultId, JsonObject auth, DateTimeOffset now)
    {
        var timestamp = WireJson.Timestamp(now);
        return new JsonObject
        {
            ["type"] = "vault_credential",
            ["id"] = id,
            ["vault_id"] = vaultId,
            ["display_name"] = JsonFields.OptionalString(body, "display_name", MaxDisplayName),
            ["auth"] = auth,
            ["metadata"] = Metadata.Create(body),
            ["created_at"] = timestamp,
            ["updated_at"] = timestamp,
            ["archived_at"] = null,
        };
    }

    /// <summary>Non-auth fields of a credential update: <c>display_name</c> (null clears) and the metadata patch.</summary>
    public static JsonObject UpdateCredential(JsonObject current, JsonObject body, JsonObject auth)
    {
        var next = (JsonObject)current.DeepClone();
        if (JsonFields.Has(body, "display_name"))
        {
            next["display_name"] = JsonFields.OptionalString(body, "display_name", MaxDisplayName);
        }
        next["auth"] = auth;
        next["metadata"] = Metadata.Patch((JsonObject)current["metadata"]!, body);
        return next;
    }

    /// <summary>The unique-name column of an active credential: its key within its vault (archived ones free it).</summary>
    public static string UniqueKey(string vaultId, string key) => vaultId + " " + key;
}
