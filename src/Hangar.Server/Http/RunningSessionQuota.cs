using Hangar.Storage;

namespace Hangar.Server.Http;

/// <summary>
/// The running-sessions quota (<see cref="RequestLimits.RunningSessionsPerWorkspace"/>): input that
/// would start an idle session (a message, an outcome, a tool answer), or a new session's
/// <c>initial_events</c>, is refused with 429 while the workspace already has that many sessions
/// running or rescheduling. Input to a session that is already running is always accepted: the
/// quota bounds how many run, not what a running one is told. The spec documents no such quota;
/// refusing at the door (nothing stored) is what lets the client simply retry later.
/// </summary>
public static class RunningSessionQuota
{
    private static readonly string[] Active = ["running", "rescheduling"];

    /// <summary>Whether input of these types makes an idle session run (an interrupt of an idle session does not).</summary>
    public static bool Starts(IEnumerable<string> eventTypes, string sessionStatus) =>
        sessionStatus == "idle" && eventTypes.Any(type => type is not "user.interrupt" && Resources.Sessions.UserEvents.NeedsHarness(type));

    /// <summary>
    /// Throws 429 when the workspace is at its quota. A check, not a reservation: requests racing
    /// each other may overshoot by their number, until the next check sees them running.
    /// </summary>
    public static async Task CheckAsync(HttpContext context, IHangarStore store, string workspaceId, CancellationToken ct)
    {
        if (context.RequestServices.GetRequiredService<HangarServerOptions>().Limits.RunningSessionsPerWorkspace is not { } quota)
        {
            return;
        }
        var running = await store.Resources.ListAsync(
            ResourceKind.Session, workspaceId, new ResourceQuery(quota) { Statuses = Active }, ct);
        if (running.Items.Count >= quota)
        {
            throw new RateLimitedException(
                $"This workspace already has {quota} sessions running, its quota of concurrently running sessions; "
                + "retry when one becomes idle, or interrupt or archive one.",
                TimeSpan.FromSeconds(10), "running_sessions_quota");
        }
    }
}
