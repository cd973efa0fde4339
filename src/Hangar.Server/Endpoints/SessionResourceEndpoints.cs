using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Endpoints;

/// <summary>Session resources (§8): the files and repositories mounted into a session's sandbox.</summary>
public static class SessionResourceEndpoints
{
    private const string ListName = "session_resources";

    public static RouteGroupBuilder MapSessionResources(this RouteGroupBuilder v1)
    {
        v1.MapGet("/sessions/{id}/resources", ListAsync);
        v1.MapPost("/sessions/{id}/resources", AddAsync);
        v1.MapGet("/sessions/{id}/resources/{resourceId}", GetAsync);
        v1.MapPost("/sessions/{id}/resources/{resourceId}", UpdateAsync);
        v1.MapDelete("/sessions/{id}/resources/{resourceId}", DeleteAsync);
        return v1;
    }

    private static async Task<IResult> ListAsync(string id, HttpContext context, IHangarStore store)
    {
        var session = await SessionRepository.GetAsync(store, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        var limit = QueryParameters.Limit(context.Request, SessionResourceParams.MaxResources, SessionResourceParams.MaxResources);
        var after = PageToken.Decode(context.Request, ListName);
        var items = session.Resources.Select(r => (JsonObject)r!).ToList();
        var start = after is null ? 0 : items.FindIndex(r => (string?)r["id"] == after) + 1;
        if (after is not null && start == 0)
        {
            throw new InvalidRequestException("page: the resource this cursor points after no longer exists; list again from the start.");
        }
        var page = items.Skip(start).Take(limit).ToList();
        var next = start + page.Count < items.Count && page.Count > 0 ? PageToken.Encode(ListName, (string)page[^1]["id"]!) : null;
        return WireResults.Page(page.Select(r => r.DeepClone()), next);
    }

    private static async Task<IResult> AddAsync(string id, HttpContext context, IHangarStore store, CredentialSecrets secrets, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        var current = await SessionRepository.GetAsync(store, workspaceId, id, ct);
        var body = await JsonBody.ReadObjectAsync(context);
        var parsed = await SessionResourceParams.ParseAsync(store, workspaceId, body, "", time.GetUtcNow(), ct);
        SessionRules.RefuseIfEnded(current, "adding resources");
        await Resources.Environments.SelfHostedRules.RefuseMountedResourcesAsync(
            store, workspaceId, (string?)current.Json["environment_id"], [parsed.Wire], "", ct);
        await SessionRepository.UpdateAsync(store, workspaceId, id, session =>
        {
            SessionRules.RefuseIfEnded(session, "adding resources");
            var resources = session.Resources;
            resources.Add(parsed.Wire.DeepClone());
            SessionResourceParams.CheckSet(resources, "resources");
            if (parsed.Token is { } token)
            {
                session.SetResourceToken((string)parsed.Wire["id"]!, token, secrets.Cipher);
            }
            session.Json["updated_at"] = parsed.Wire["created_at"]!.DeepClone();
            return SessionChange.Write;
        }, ct);
        return WireResults.Json(parsed.Wire);
    }

    private static async Task<IResult> GetAsync(string id, string resourceId, HttpContext context, IHangarStore store)
    {
        var session = await SessionRepository.GetAsync(store, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        return WireResults.Json(Find(session, resourceId).DeepClone());
    }

    /// <summary>Rotates a GitHub repository's authorization token; the only updatable field.</summary>
    private static async Task<IResult> UpdateAsync(string id, string resourceId, HttpContext context, IHangarStore store, CredentialSecrets secrets, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var workspaceId = ApiKeyAuthentication.WorkspaceOf(context);
        await SessionRepository.GetAsync(store, workspaceId, id, ct);
        var body = await JsonBody.ReadObjectAsync(context);
        foreach (var (key, _) in body)
        {
            if (key != "authorization_token")
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted; only authorization_token can be updated.");
            }
        }
        var token = JsonFields.RequiredString(body, "authorization_token", 4096);
        var stamp = WireJson.Timestamp(time.GetUtcNow());
        JsonObject? updated = null;
        await SessionRepository.UpdateAsync(store, workspaceId, id, session =>
        {
            var resource = Find(session, resourceId);
            if ((string?)resource["type"] != "github_repository")
            {
                throw new InvalidRequestException($"authorization_token: the resource '{resourceId}' is a {(string?)resource["type"]}, not a github_repository.");
            }
            SessionRules.RefuseIfEnded(session, "updating resources");
            session.SetResourceToken(resourceId, token, secrets.Cipher);
            resource["updated_at"] = stamp;
            updated = (JsonObject)resource.DeepClone();
            return SessionChange.Write;
        }, ct);
        return WireResults.Json(updated!);
    }

    private static async Task<IResult> DeleteAsync(string id, string resourceId, HttpContext context, IHangarStore store, TimeProvider time)
    {
        var stamp = WireJson.Timestamp(time.GetUtcNow());
        await SessionRepository.UpdateAsync(store, ApiKeyAuthentication.WorkspaceOf(context), id, session =>
        {
            var resource = Find(session, resourceId);
            SessionRules.RefuseIfEnded(session, "removing resources");
            SessionRules.RefuseWhileRunning(session, "changed");
            session.Resources.Remove(resource);
            session.RemoveResourceToken(resourceId);
            session.Json["updated_at"] = stamp;
            return SessionChange.Write;
        }, context.RequestAborted);
        return WireResults.Deleted(resourceId, "session_resource_deleted");
    }

    private static JsonObject Find(StoredSession session, string resourceId) =>
        session.Resources.OfType<JsonObject>().FirstOrDefault(r => (string?)r["id"] == resourceId)
            ?? throw new NotFoundException($"The session has no resource with id '{resourceId}'.");
}
