using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Resources.Vaults;
using Hangar.Storage;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>/v1/vaults</c>: workspace-scoped holders of credentials. Archiving a vault archives its credentials
/// (purging their secrets); deleting it deletes them. <c>GET /v1/vaults/{id}/audit</c> is a Hangar extension.
/// </summary>
public static class VaultEndpoints
{
    private const string ListName = "vaults";
    private const string AuditListName = "vault_audit";

    public static RouteGroupBuilder MapVaults(this RouteGroupBuilder v1)
    {
        var vaults = v1.MapGroup("/vaults");
        vaults.MapPost("", CreateAsync);
        vaults.MapGet("", ListAsync);
        vaults.MapGet("/{id}", GetAsync);
        vaults.MapPost("/{id}", UpdateAsync);
        vaults.MapDelete("/{id}", DeleteAsync);
        vaults.MapPost("/{id}/archive", ArchiveAsync);
        vaults.MapGet("/{id}/audit", AuditAsync);
        vaults.MapVaultCredentials();
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHangarStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Vault, now);
        var vault = VaultObjects.NewVault(body, id, now);
        await store.Resources.InsertAsync(
            new ResourceRecord(ResourceKind.Vault, ApiKeyAuthentication.WorkspaceOf(context), id, vault.ToJsonString(WireJson.Options), 1, now, null),
            context.RequestAborted);
        return WireResults.Json(vault);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IHangarStore store, string id) =>
        WireResults.Json(ResourceLookup.Parse(await LoadAsync(context, store, id)));

    private static async Task<IResult> UpdateAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var record = await LoadAsync(context, store, id);
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This vault is archived and can no longer be changed.", "vault_archived");
        }
        var current = ResourceLookup.Parse(record);
        var next = VaultObjects.UpdateVault(current, body);
        if (JsonNode.DeepEquals(next, current))
        {
            return WireResults.Json(current);
        }
        next["updated_at"] = WireJson.Timestamp(time.GetUtcNow());
        return await store.Resources.ReplaceAsync(record with { Json = next.ToJsonString(WireJson.Options) }, record.Revision, context.RequestAborted)
            ? WireResults.Json(next)
            : throw new ConflictException("The vault was changed by another request at the same time; fetch it again and retry.");
    }

    private static async Task<IResult> ArchiveAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await LoadAsync(context, store, id);
        var vault = ResourceLookup.Parse(record);
        var now = time.GetUtcNow();
        if (record.ArchivedAt is null)
        {
            vault["archived_at"] = WireJson.Timestamp(now);
            vault["updated_at"] = WireJson.Timestamp(now);
            // The vault first: from here on sessions referencing it fail, even before its credentials follow.
            if (!await store.Resources.ReplaceAsync(
                    record with { Json = vault.ToJsonString(WireJson.Options), ArchivedAt = now }, record.Revision, context.RequestAborted))
            {
                throw new ConflictException("The vault was changed by another request at the same time; retry.");
            }
        }
        // Re-run on an archived vault too, so an archive interrupted half-way completes.
        var active = await store.Resources.ListAsync(ResourceKind.VaultCredential, workspace,
            new ResourceQuery(100) { ScopeId = record.Id }, context.RequestAborted);
        foreach (var credential in active.Items)
        {
            await VaultCredentialEndpoints.ArchiveRecordAsync(store, credential, now, context.RequestAborted);
        }
        return WireResults.Json(vault);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IHangarStore store, string id)
    {
        var record = await LoadAsync(context, store, id);
        if (!await store.Resources.DeleteAsync(ResourceKind.Vault, record.WorkspaceId, record.Id, context.RequestAborted))
        {
            throw new NotFoundException($"No vault with id '{id}' exists in this workspace.");
        }
        return WireResults.Deleted(record.Id, "vault_deleted");
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store)
    {
        var query = ListRequest.Read(context.Request, ListName, 20, 100);
        var page = await store.Resources.ListAsync(ResourceKind.Vault, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        return WireResults.Page(page.Items.Select(r => (JsonNode)ResourceLookup.Parse(r)), ListRequest.NextPage(ListName, page));
    }

    /// <summary>Hangar extension: who used this vault's credentials, for which MCP server, when, and how it went (newest first).</summary>
    private static async Task<IResult> AuditAsync(HttpContext context, IHangarStore store, string id)
    {
        var record = await LoadAsync(context, store, id);
        var limit = QueryParameters.Limit(context.Request, 20, 100);
        var page = await store.Vaults.ListAuditAsync(
            record.WorkspaceId, record.Id, limit, PageToken.Decode(context.Request, AuditListName), context.RequestAborted);
        var next = page.HasMore && page.Items.Count > 0 ? PageToken.Encode(AuditListName, page.Items[^1].Id) : null;
        return WireResults.Page(page.Items.Select(Audit), next);
    }

    private static JsonNode Audit(CredentialAuditRecord entry) => new JsonObject
    {
        ["type"] = "vault_credential_use",
        ["id"] = entry.Id,
        ["vault_id"] = entry.VaultId,
        ["credential_id"] = entry.CredentialId,
        ["session_id"] = entry.SessionId,
        ["mcp_server_name"] = entry.ServerName,
        ["mcp_server_url"] = entry.ServerUrl,
        ["outcome"] = entry.Outcome,
        ["detail"] = entry.Detail,
        ["created_at"] = WireJson.Timestamp(entry.CreatedAt),
    };

    internal static Task<ResourceRecord> LoadAsync(HttpContext context, IHangarStore store, string id) =>
        ResourceLookup.GetAsync(store, ResourceKind.Vault, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
}
