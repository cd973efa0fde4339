using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Resources.Sessions;

/// <summary>A validated <c>POST /v1/sessions</c>: the new session and the initial events to append after it.</summary>
public sealed record SessionRequest(StoredSession Session, IReadOnlyList<NewEvent> InitialEvents)
{
    public const int MaxTitleLength = 500;
    public const int MaxVaults = 20;

    private static readonly string[] Known =
        ["agent", "environment_id", "initial_events", "resources", "vault_ids", "metadata", "title", "budget"];

    public static async Task<SessionRequest> ParseAsync(
        IHangarStore store, string workspaceId, JsonObject body, DateTimeOffset now, SecretCipher cipher, CancellationToken ct)
    {
        foreach (var (key, _) in body)
        {
            if (!Known.Contains(key, StringComparer.Ordinal))
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted.");
            }
        }
        // Shape checks that need no lookups come first, so a malformed request fails fast.
        var title = JsonFields.OptionalString(body, "title", MaxTitleLength);
        var metadata = Metadata.Create(body);
        var budget = body["budget"] is { } budgetNode ? SessionBudget.Parse(budgetNode, "budget") : null;
        var vaultIds = VaultIds(body);
        var initial = JsonFields.OptionalArray(body, "initial_events", UserEvents.MaxInitial) is { } events
            ? UserEvents.ParseInitial(events, now)
            : [];
        var environmentId = JsonFields.RequiredString(body, "environment_id", 100);

        var agent = await SessionAgentSnapshot.ResolveAsync(store, workspaceId, body["agent"], ct);
        await CheckEnvironmentAsync(store, workspaceId, environmentId, ct);
        await CheckVaultsAsync(store, workspaceId, vaultIds, ct);
        var resources = new JsonArray();
        var id = Ids.New(Ids.Session);
        var tokens = new List<(string ResourceId, string Token)>();
        var resourceParams = JsonFields.OptionalArray(body, "resources", SessionResourceParams.MaxResources) ?? [];
        for (var i = 0; i < resourceParams.Count; i++)
        {
            var parsed = await SessionResourceParams.ParseAsync(store, workspaceId, resourceParams[i], $"resources[{i}]", now, ct);
            resources.Add(parsed.Wire);
            if (parsed.Token is { } token)
            {
                tokens.Add(((string)parsed.Wire["id"]!, token));
            }
        }
        SessionResourceParams.CheckSet(resources, "resources");
        await Environments.SelfHostedRules.RefuseMountedResourcesAsync(store, workspaceId, environmentId, resources, "resources", ct);

        var json = SessionObject.New(id, agent, environmentId, resources, vaultIds, metadata, title, budget, now);
        var record = new ResourceRecord(ResourceKind.Session, workspaceId, id, "", 0, now, null);
        var session = new StoredSession(record, json);
        foreach (var (resourceId, token) in tokens)
        {
            session.SetResourceToken(resourceId, token, cipher);
        }
        return new SessionRequest(session, initial);
    }

    private static JsonArray VaultIds(JsonObject body)
    {
        var list = JsonFields.OptionalArray(body, "vault_ids", MaxVaults) ?? [];
        var ids = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonValue value || !value.TryGetValue<string>(out var id) || !id.StartsWith("vlt_", StringComparison.Ordinal))
            {
                throw new InvalidRequestException($"vault_ids[{i}]: expected a vault id (vlt_…).");
            }
            if (!ids.Any(existing => (string?)existing == id))
            {
                ids.Add(id);
            }
        }
        return ids;
    }

    /// <summary>Every vault must be one of this workspace's and not archived (another workspace's is a 404 like a missing one).</summary>
    private static async Task CheckVaultsAsync(IHangarStore store, string workspaceId, JsonArray vaultIds, CancellationToken ct)
    {
        for (var i = 0; i < vaultIds.Count; i++)
        {
            var vaultId = (string)vaultIds[i]!;
            var vault = Ids.IsWellFormed(vaultId, Ids.Vault) ? await store.Resources.GetAsync(ResourceKind.Vault, workspaceId, vaultId, ct) : null;
            if (vault is null)
            {
                throw new NotFoundException($"vault_ids[{i}]: no vault with id '{vaultId}' in this workspace.");
            }
            if (vault.ArchivedAt is not null)
            {
                throw new InvalidRequestException($"vault_ids[{i}]: the vault '{vaultId}' is archived; new sessions cannot use it.", "vault_archived");
            }
        }
    }

    private static async Task CheckEnvironmentAsync(IHangarStore store, string workspaceId, string environmentId, CancellationToken ct)
    {
        var environment = Ids.IsWellFormed(environmentId, Ids.Environment)
            ? await store.Resources.GetAsync(ResourceKind.Environment, workspaceId, environmentId, ct)
            : null;
        if (environment is null)
        {
            throw new NotFoundException($"environment_id: no environment with id '{environmentId}' in this workspace.");
        }
        if (environment.ArchivedAt is not null)
        {
            throw new InvalidRequestException(
                $"environment_id: the environment '{environmentId}' is archived; new sessions cannot use it.", "environment_archived");
        }
    }
}
