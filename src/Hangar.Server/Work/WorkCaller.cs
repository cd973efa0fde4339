using Hangar.Storage;

namespace Hangar.Server.Work;

/// <summary>
/// Who is calling, when it is not an API key: a self-hosted worker with an environment key, or
/// with the sessions token of the item it claimed. Both act in the environment's workspace.
/// </summary>
public abstract record WorkCaller(string WorkspaceId, string EnvironmentId)
{
    /// <summary>An environment key: the environment's queue and the sessions it claimed items of.</summary>
    public sealed record EnvironmentKey(EnvironmentKeyRecord Key) : WorkCaller(Key.WorkspaceId, Key.EnvironmentId);

    /// <summary>A sessions token: its work item's lifecycle routes and its session's routes, while the item lives.</summary>
    public sealed record SessionsToken(WorkItemRecord Item) : WorkCaller(Item.WorkspaceId, Item.EnvironmentId);

    private const string ItemKey = "hangar.work_caller";

    /// <summary>
    /// Recognises a worker credential by its prefix; null for anything else (an API key).
    /// Not cached, unlike API keys: environment keys can be revoked and tokens end with their item.
    /// </summary>
    public static async Task<WorkCaller?> AuthenticateAsync(IHangarStore store, string credential, CancellationToken ct, TimeProvider? time = null)
    {
        if (credential.StartsWith(WorkCredentials.EnvironmentKeyPrefix, StringComparison.Ordinal))
        {
            return await store.EnvironmentKeys.FindByHashAsync(ApiKeys.Hash(credential), ct) is { } key
                ? new EnvironmentKey(key)
                : throw new Contracts.AuthenticationException("Invalid or revoked environment key.");
        }
        if (credential.StartsWith(WorkCredentials.SessionsTokenPrefix, StringComparison.Ordinal))
        {
            var item = await store.Work.FindByTokenHashAsync(ApiKeys.Hash(credential), ct);
            if (item is not null && time is not null && WorkLapses.HasLapsed(item, time.GetUtcNow()))
            {
                // Its worker never confirmed the stop: the item is stopped, and the token ends with it.
                await WorkLapses.SettleAsync(store, item.EnvironmentId, time.GetUtcNow(), ct);
                item = null;
            }
            return item is not null
                ? new SessionsToken(item)
                : throw new Contracts.AuthenticationException("This sessions token is unknown, or its work item has stopped or been claimed again.");
        }
        return null;
    }

    public static void Set(HttpContext context, WorkCaller caller) => context.Items[ItemKey] = caller;

    /// <summary>The worker calling, or null for an API-key caller.</summary>
    public static WorkCaller? Of(HttpContext context) => context.Items[ItemKey] as WorkCaller;
}
