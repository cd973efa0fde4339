using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Work;

/// <summary>
/// Which routes each credential may use (api.md §12). Workers reach only their environment's work
/// routes and the routes of the sessions they claimed; an id outside that scope reads as unknown
/// (404), like another workspace's. API keys may not act as a worker (poll, ack, heartbeat, list: 403).
/// </summary>
public static class WorkAccess
{
    private static readonly string[] WorkerOnly = ["poll", "ack", "heartbeat"];

    public static async Task CheckAsync(HttpContext context, IHangarStore store, WorkCaller? caller)
    {
        var route = Route.Parse(context.Request.Path.Value ?? "", context.Request.Method);
        if (caller is null)
        {
            if (route.WorkAction is { } action && (WorkerOnly.Contains(action) || action == "list"))
            {
                throw new PermissionException(
                    $"An API key cannot {action} work items; workers use an environment key (`hangar env-keys create`).");
            }
            return;
        }
        if (route.EnvironmentId is { } environmentId && route.WorkAction is { } workAction)
        {
            CheckWorkRoute(caller, environmentId, route.WorkId, workAction);
            return;
        }
        if (route.SessionId is { } sessionId && route.IsWorkerSessionRoute)
        {
            await CheckSessionAsync(store, caller, sessionId, context.RequestAborted);
            return;
        }
        throw new PermissionException("A worker credential can only reach its environment's work routes and the sessions it claimed.");
    }

    private static void CheckWorkRoute(WorkCaller caller, string environmentId, string? workId, string action)
    {
        if (environmentId != caller.EnvironmentId)
        {
            throw new NotFoundException($"No environment with id '{environmentId}' exists for this key.");
        }
        switch (caller)
        {
            case WorkCaller.EnvironmentKey when action is "poll" or "ack" or "heartbeat" or "stop" or "list":
                return;
            case WorkCaller.SessionsToken token when action is "ack" or "heartbeat" or "stop":
                if (workId != token.Item.Id)
                {
                    throw new NotFoundException($"No work item with id '{workId}' exists for this token.");
                }
                return;
            default:
                throw new PermissionException($"A worker credential cannot use '{action}' on work items; use an API key.");
        }
    }

    private static async Task CheckSessionAsync(IHangarStore store, WorkCaller caller, string sessionId, CancellationToken ct)
    {
        var allowed = caller switch
        {
            WorkCaller.SessionsToken token => token.Item.SessionId == sessionId,
            WorkCaller.EnvironmentKey key => await store.Work.HasClaimedAsync(key.Key.Id, sessionId, ct),
            _ => false,
        };
        if (!allowed)
        {
            throw new NotFoundException($"No session with id '{sessionId}' exists for this credential.");
        }
    }

    /// <summary>The parts of a /v1 path that matter for worker access.</summary>
    private sealed record Route(string? EnvironmentId, string? WorkId, string? WorkAction, string? SessionId, bool IsWorkerSessionRoute)
    {
        public static Route Parse(string path, string method)
        {
            var s = path.Trim('/').Split('/');
            if (s.Length >= 4 && s[0] == "v1" && s[1] == "environments" && s[3] == "work")
            {
                return s.Length switch
                {
                    4 => new Route(s[2], null, HttpMethods.IsGet(method) ? "list" : "other", null, false),
                    5 when s[4] is "poll" or "stats" => new Route(s[2], null, s[4], null, false),
                    5 => new Route(s[2], s[4], HttpMethods.IsGet(method) ? "retrieve" : "update", null, false),
                    6 => new Route(s[2], s[4], s[5], null, false),
                    _ => new Route(s[2], null, "other", null, false),
                };
            }
            if (s.Length >= 3 && s[0] == "v1" && s[1] == "sessions")
            {
                // GET the session; list, stream and send its events.
                var workerRoute = (s.Length == 3 && HttpMethods.IsGet(method))
                    || (s.Length == 4 && s[3] == "events" && (HttpMethods.IsGet(method) || HttpMethods.IsPost(method)))
                    || (s.Length == 5 && s[3] == "events" && s[4] == "stream" && HttpMethods.IsGet(method));
                return new Route(null, null, null, s[2], workerRoute);
            }
            return new Route(null, null, null, null, false);
        }
    }
}
