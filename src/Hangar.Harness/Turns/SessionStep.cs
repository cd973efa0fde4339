namespace Hangar.Harness.Turns;

/// <summary>
/// The next thing to do for a session, decided from the log alone (docs/harness.md,
/// "wake(sessionId)"). <see cref="IsFinal"/> steps leave the session waiting on its client.
/// </summary>
public abstract record SessionStep
{
    public virtual bool IsFinal => false;

    /// <summary>Apply queued interrupts: close open calls, end the turn.</summary>
    public sealed record Interrupt(IReadOnlyList<string> InterruptIds) : SessionStep;

    /// <summary>A model request was left open by a dead worker: close it as failed.</summary>
    public sealed record CloseOpenRequest(string StartId) : SessionStep;

    /// <summary>Input arrived while idle: <c>session.status_running</c>.</summary>
    public sealed record StartTurn : SessionStep;

    /// <summary>Back from <c>rescheduling</c>: <c>session.status_running</c> before the retry.</summary>
    public sealed record Resume : SessionStep;

    /// <summary>Answer refused calls with an error result.</summary>
    public sealed record Deny(IReadOnlyList<PendingCall> Calls) : SessionStep;

    public sealed record RunTool(PendingCall Call) : SessionStep;

    /// <summary>Calls wait on the client: <c>session.status_idle{requires_action}</c>.</summary>
    public sealed record Wait(IReadOnlyList<string> EventIds) : SessionStep
    {
        public override bool IsFinal => true;
    }

    /// <summary>
    /// Self-hosted: allowed built-in calls run on the environment's worker, which answers with
    /// <c>user.tool_result</c>. Queue a work item (unless one lives) and stop until a result
    /// arrives; the session stays <c>running</c>.
    /// </summary>
    public sealed record AwaitWorker(IReadOnlyList<PendingCall> Calls) : SessionStep
    {
        public override bool IsFinal => true;
    }

    /// <summary>Self-hosted: a worker's <c>user.tool_result</c> arrived mid-turn; mark it processed.</summary>
    public sealed record AcceptResults(IReadOnlyList<string> ResultIds) : SessionStep;

    public sealed record CallModel(int Attempt) : SessionStep;

    /// <summary>The model failed too often (a crash loop counts too): give up on the turn.</summary>
    public sealed record GiveUp : SessionStep
    {
        public override bool IsFinal => true;
    }

    /// <summary>The turn is over: <c>session.usage</c> then <c>session.status_idle</c> with this reason.</summary>
    public sealed record EndTurn(string StopReason) : SessionStep
    {
        public override bool IsFinal => true;
    }

    /// <summary>Nothing to do: acknowledge stray input and clear the work flag.</summary>
    public sealed record Settle : SessionStep
    {
        public override bool IsFinal => true;
    }

    /// <summary>
    /// Decides from the log state; <paramref name="ended"/> when the session is archived or terminated;
    /// <paramref name="selfHosted"/> when its built-in tools run on a worker of its environment.
    /// </summary>
    public static SessionStep Decide(LogState log, bool ended, int maxAttempts, bool selfHosted = false)
    {
        if (ended)
        {
            return new Settle();
        }
        if (log.QueuedInterrupts.Count > 0)
        {
            return new Interrupt([.. log.QueuedInterrupts.Select(e => e.Id)]);
        }
        if (log.OpenRequestId is { } open)
        {
            return new CloseOpenRequest(open);
        }
        var waiting = log.Pending.Where(c => c.IsWaiting).Select(c => c.Use.Id).ToList();
        if (!log.InTurn)
        {
            // Resolving only some blockers re-announces the rest; resolving all (or a new message) runs.
            if (waiting.Count > 0)
            {
                return new Wait(waiting);
            }
            return log.Pending.Count > 0 || log.QueuedMessages.Count > 0 || (log.ClientAnswered && log.NeedsModel)
                ? new StartTurn()
                : new Settle();
        }
        if (log.LastStatus == "session.status_rescheduled")
        {
            return new Resume();
        }
        if (log.Pending.Where(c => c.State == CallState.Denied).ToList() is { Count: > 0 } denied)
        {
            return new Deny(denied);
        }
        if (log.Pending.FirstOrDefault(c => c.State == CallState.Runnable && !(selfHosted && c.RunsOnWorker)) is { } runnable)
        {
            return new RunTool(runnable);
        }
        if (selfHosted && log.QueuedOther.Where(e => e.Type == "user.tool_result").Select(e => e.Id).ToList() is { Count: > 0 } results)
        {
            return new AcceptResults(results);
        }
        if (selfHosted && log.Pending.Where(c => c.State == CallState.Runnable && c.RunsOnWorker).ToList() is { Count: > 0 } forWorker)
        {
            return new AwaitWorker(forWorker);
        }
        if (waiting.Count > 0)
        {
            return new Wait(waiting);
        }
        if (log.NeedsModel)
        {
            return log.ConsecutiveFailures >= maxAttempts ? new GiveUp() : new CallModel(log.ConsecutiveFailures + 1);
        }
        return new EndTurn(log.LastStopReason ?? "end_turn");
    }
}
