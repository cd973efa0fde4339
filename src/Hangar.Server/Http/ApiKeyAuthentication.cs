using System.Collections.Concurrent;
using Hangar.Contracts;
using Hangar.Server.Work;
using Hangar.Storage;

namespace Hangar.Server.Http;

/// <summary>
/// Accepts <c>x-api-key</c> or <c>Authorization: Bearer</c> (what the current SDKs send) and
/// puts the key's workspace on the request. Keys are looked up by hash; known hashes are cached
/// because a key cannot yet be revoked.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, IHangarStore store)
{
    private const string WorkspaceKey = "hangar.workspace_id";
    private const string KeyHashKey = "hangar.key_hash";
    private readonly ConcurrentDictionary<string, string> _workspaceByHash = new(StringComparer.Ordinal);

    /// <summary>The one route that needs no key: a liveness probe for scripts and load balancers.</summary>
    public const string HealthPath = "/healthz";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals(HealthPath, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }
        var key = ReadKey(context.Request)
            ?? throw new AuthenticationException(
                "Missing API key. Send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>' (create one with `hangar keys create`).");
        var hash = ApiKeys.Hash(key);
        context.Items[KeyHashKey] = hash;
        if (await WorkCaller.AuthenticateAsync(store, key, context.RequestAborted, context.RequestServices.GetService<TimeProvider>()) is { } worker)
        {
            // A self-hosted worker's environment key or sessions token, scoped by WorkAccess.
            await WorkAccess.CheckAsync(context, store, worker);
            WorkCaller.Set(context, worker);
            context.Items[WorkspaceKey] = worker.WorkspaceId;
            await next(context);
            return;
        }
        if (!_workspaceByHash.TryGetValue(hash, out var workspaceId))
        {
            workspaceId = await store.Workspaces.FindWorkspaceByKeyHashAsync(hash, context.RequestAborted)
                ?? throw new AuthenticationException("Invalid API key.");
            _workspaceByHash[hash] = workspaceId;
        }
        context.Items[WorkspaceKey] = workspaceId;
        await WorkAccess.CheckAsync(context, store, null);
        await next(context);
    }

    /// <summary>The workspace of the authenticated caller.</summary>
    public static string WorkspaceOf(HttpContext context) =>
        context.Items[WorkspaceKey] as string
            ?? throw new InvalidOperationException("The request was not authenticated.");

    /// <summary>The caller's workspace, or null before (or without) authentication, e.g. the health probe.</summary>
    public static string? WorkspaceOrNull(HttpContext context) => context.Items[WorkspaceKey] as string;

    /// <summary>The hash of the credential the caller presented (API key, environment key or sessions token): who to count per key.</summary>
    public static string KeyHashOf(HttpContext context) =>
        context.Items[KeyHashKey] as string
            ?? throw new InvalidOperationException("The request was not authenticated.");

    private static string? ReadKey(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            return apiKey.Trim();
        }
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            && authorization.Length > bearer.Length
            ? authorization[bearer.Length..].Trim()
            : null;
    }
}
