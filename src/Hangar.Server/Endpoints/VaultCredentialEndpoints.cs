using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Resources.Vaults;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>/v1/vaults/{id}/credentials</c>. Secret fields are write-only: they are sealed into the vault
/// secret store and never reach the credential row, a response, a log line or an error message.
/// At most <see cref="MaxActivePerVault"/> active credentials per vault, each key (server URL or secret
/// name) once among them (409). Archiving purges the secret.
/// </summary>
public static class VaultCredentialEndpoints
{
    public const int MaxActivePerVault = 20;
    private const string ListName = "vault_credentials";

    public static RouteGroupBuilder MapVaultCredentials(this RouteGroupBuilder vaults)
    {
        var credentials = vaults.MapGroup("/{vaultId}/credentials");
        credentials.MapPost("", CreateAsync);
        credentials.MapGet("", ListAsync);
        credentials.MapGet("/{id}", GetAsync);
        credentials.MapPost("/{id}", UpdateAsync);
        credentials.MapDelete("/{id}", DeleteAsync);
        credentials.MapPost("/{id}/archive", ArchiveAsync);
        return vaults;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHangarStore store, CredentialSecrets secrets, TimeProvider time, string vaultId)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        JsonFields.RejectUnknown(body, "", "auth", "display_name", "metadata");
        var vault = await VaultEndpoints.LoadAsync(context, store, vaultId);
        if (vault.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This vault is archived; it can't take new credentials.", "vault_archived");
        }
        var auth = CredentialAuth.Create(JsonFields.OptionalObject(body, "auth") ?? throw new InvalidRequestException("auth: Field required."));
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.VaultCredential, now);
        var credential = VaultObjects.NewCredential(body, id, vault.Id, auth.Wire, now);
        var active = await store.Resources.ListAsync(ResourceKind.VaultCredential, vault.WorkspaceId,
            new ResourceQuery(MaxActivePerVault) { ScopeId = vault.Id }, context.RequestAborted);
        if (active.Items.Count >= MaxActivePerVault)
        {
            throw new InvalidRequestException($"A vault holds at most {MaxActivePerVault} active credentials; archive one or use another vault.");
        }
        var sealedSecret = Seal(secrets, vault, id, auth.Secrets, now);
        var record = new ResourceRecord(ResourceKind.VaultCredential, vault.WorkspaceId, id, credential.ToJsonString(WireJson.Options), 1, now, null,
            UniqueName: VaultObjects.UniqueKey(vault.Id, auth.Key));
        try
        {
            await store.Vaults.CreateCredentialAsync(record, sealedSecret, context.RequestAborted);
        }
        catch (DuplicateNameException)
        {
            throw Duplicate(auth.Wire);
        }
        return WireResults.Json(credential);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IHangarStore store, string vaultId, string id) =>
        WireResults.Json(ResourceLookup.Parse(await LoadAsync(context, store, vaultId, id)));

    private static async Task<IResult> UpdateAsync(
        HttpContext context, IHangarStore store, CredentialSecrets secrets, TimeProvider time, string vaultId, string id)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        JsonFields.RejectUnknown(body, "", "auth", "display_name", "metadata");
        var record = await LoadAsync(context, store, vaultId, id);
        if (record.ArchivedAt is not null)
        {
            throw new InvalidRequestException("This credential is archived and can no longer be changed.", "vault_credential_archived");
        }
        var current = ResourceLookup.Parse(record);
        var authUpdate = JsonFields.OptionalObject(body, "auth") is { } auth
            ? CredentialAuthUpdate.Apply((JsonObject)current["auth"]!, auth)
            : new CredentialAuthUpdate.Result((JsonObject)current["auth"]!.DeepClone(), []);
        var next = VaultObjects.UpdateCredential(current, body, authUpdate.Wire);
        if (JsonNode.DeepEquals(next, current) && authUpdate.SecretChanges.Count == 0)
        {
            return WireResults.Json(current);
        }
        var now = time.GetUtcNow();
        next["updated_at"] = WireJson.Timestamp(now);
        SealedSecretRecord? sealedSecret = null;
        if (authUpdate.SecretChanges.Count > 0)
        {
            // Secrets not given keep their stored values (e.g. a new access token keeps the refresh token).
            var stored = await store.Vaults.GetSecretAsync(record.WorkspaceId, record.Id, context.RequestAborted);
            var fields = stored is null ? new Dictionary<string, string>() : Open(secrets, stored);
            foreach (var (name, value) in authUpdate.SecretChanges)
            {
                fields[name] = value;
            }
            sealedSecret = Seal(secrets, record, record.Id, fields, now, vaultId: (string)current["vault_id"]!);
        }
        return await store.Vaults.ReplaceCredentialAsync(
                record with { Json = next.ToJsonString(WireJson.Options) }, record.Revision, sealedSecret, purgeSecret: false, context.RequestAborted)
            ? WireResults.Json(next)
            : throw new ConflictException("The credential was changed by another request at the same time; fetch it again and retry.");
    }

    private static async Task<IResult> ArchiveAsync(HttpContext context, IHangarStore store, TimeProvider time, string vaultId, string id)
    {
        var record = await LoadAsync(context, store, vaultId, id);
        return WireResults.Json(await ArchiveRecordAsync(store, record, time.GetUtcNow(), context.RequestAborted));
    }

    /// <summary>Archives a credential and purges its secret (idempotent: an archived one is returned as it is).</summary>
    internal static async Task<JsonObject> ArchiveRecordAsync(IHangarStore store, ResourceRecord record, DateTimeOffset now, CancellationToken ct)
    {
        var credential = ResourceLookup.Parse(record);
        if (record.ArchivedAt is not null)
        {
            return credential;
        }
        credential["archived_at"] = WireJson.Timestamp(now);
        credential["updated_at"] = WireJson.Timestamp(now);
        // An archived credential frees its key, so a replacement can be created under the same URL or name.
        var archived = record with { Json = credential.ToJsonString(WireJson.Options), ArchivedAt = now, UniqueName = null };
        return await store.Vaults.ReplaceCredentialAsync(archived, record.Revision, secret: null, purgeSecret: true, ct)
            ? credential
            : throw new ConflictException("The credential was changed by another request at the same time; retry.");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IHangarStore store, string vaultId, string id)
    {
        var record = await LoadAsync(context, store, vaultId, id);
        if (!await store.Resources.DeleteAsync(ResourceKind.VaultCredential, record.WorkspaceId, record.Id, context.RequestAborted))
        {
            throw new NotFoundException($"No vault credential with id '{id}' exists in this vault.");
        }
        return WireResults.Deleted(record.Id, "vault_credential_deleted");
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store, string vaultId)
    {
        var vault = await VaultEndpoints.LoadAsync(context, store, vaultId);
        var query = ListRequest.Read(context.Request, ListName, 20, 100) with { ScopeId = vault.Id };
        var page = await store.Resources.ListAsync(ResourceKind.VaultCredential, vault.WorkspaceId, query, context.RequestAborted);
        return WireResults.Page(page.Items.Select(r => (JsonNode)ResourceLookup.Parse(r)), ListRequest.NextPage(ListName, page));
    }

    /// <summary>A credential of the vault in the path (a credential of another vault is a 404 too).</summary>
    private static async Task<ResourceRecord> LoadAsync(HttpContext context, IHangarStore store, string vaultId, string id)
    {
        var vault = await VaultEndpoints.LoadAsync(context, store, vaultId);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.VaultCredential, vault.WorkspaceId, id, context.RequestAborted);
        return (string?)ResourceLookup.Parse(record)["vault_id"] == vault.Id
            ? record
            : throw new NotFoundException($"No vault credential with id '{id}' exists in vault '{vault.Id}'.");
    }

    private static SealedSecretRecord Seal(
        CredentialSecrets secrets, ResourceRecord owner, string credentialId, Dictionary<string, string> fields, DateTimeOffset now, string? vaultId = null)
    {
        try
        {
            return secrets.Seal(owner.WorkspaceId, vaultId ?? owner.Id, credentialId, fields, now);
        }
        catch (VaultKeyException e)
        {
            throw new InvalidRequestException(e.Message, "vault_master_key_missing");
        }
    }

    private static Dictionary<string, string> Open(CredentialSecrets secrets, SealedSecretRecord stored)
    {
        try
        {
            return secrets.Open(stored);
        }
        catch (SecretUnreadableException e)
        {
            throw new InvalidRequestException(e.Message + " Give every secret field of the credential again, or archive it and create a new one.");
        }
    }

    private static ConflictException Duplicate(JsonObject auth) => (string)auth["type"]! == "environment_variable"
        ? new ConflictException($"This vault already has an active credential for secret_name '{(string)auth["secret_name"]!}'; archive it first.")
        : new ConflictException($"This vault already has an active credential for MCP server '{(string)auth["mcp_server_url"]!}'; archive it first.");
}
