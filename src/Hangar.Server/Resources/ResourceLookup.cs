using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Resources;

/// <summary>
/// Loads one resource of the caller's workspace. A malformed id, an unknown id and another
/// workspace's id all give the same 404, so ids from other workspaces cannot be probed.
/// </summary>
public static class ResourceLookup
{
    public static async Task<ResourceRecord> GetAsync(
        IHangarStore store, ResourceKind kind, string workspaceId, string id, CancellationToken ct)
    {
        var (prefix, noun) = Describe(kind);
        if (Ids.IsWellFormed(id, prefix))
        {
            var record = await store.Resources.GetAsync(kind, workspaceId, id, ct);
            if (record is not null)
            {
                return record;
            }
        }
        throw new NotFoundException($"No {noun} with id '{Shorten(id)}' exists in this workspace.");
    }

    public static JsonObject Parse(ResourceRecord record) =>
        JsonNode.Parse(record.Json) as JsonObject
            ?? throw new InvalidOperationException($"Stored {record.Kind} {record.Id} is not a JSON object.");

    private static (string Prefix, string Noun) Describe(ResourceKind kind) => kind switch
    {
        ResourceKind.Agent => (Ids.Agent, "agent"),
        ResourceKind.Environment => (Ids.Environment, "environment"),
        ResourceKind.Session => (Ids.Session, "session"),
        ResourceKind.File => (Ids.File, "file"),
        ResourceKind.Vault => (Ids.Vault, "vault"),
        ResourceKind.VaultCredential => (Ids.VaultCredential, "vault credential"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Shorten(string id) => id.Length > 80 ? id[..80] + "…" : id;
}
