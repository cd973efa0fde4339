using Hangar.Harness.Log;

namespace Hangar.Harness.Turns;

/// <summary>
/// What the log says about a session right now: the turn status, an open model request, tool
/// calls without results, queued user input and consecutive failed model requests. Derived from
/// the events alone, so any worker reaches the same conclusions.
/// </summary>
public sealed class LogState
{
    private static readonly HashSet<string> UseTypes = ["agent.tool_use", "agent.custom_tool_use", "agent.mcp_tool_use"];

    private LogState()
    {
    }

    /// <summary><c>session.status_running</c> / <c>_idle</c> / <c>_rescheduled</c> / <c>_terminated</c> last written, or null.</summary>
    public string? LastStatus { get; private set; }

    public LoggedEvent? LastIdle { get; private set; }

    /// <summary>A turn is under way (running or waiting to retry).</summary>
    public bool InTurn => LastStatus is "session.status_running" or "session.status_rescheduled";

    /// <summary>A <c>span.model_request_start</c> without its end: the worker died mid-request.</summary>
    public string? OpenRequestId { get; private set; }

    public IReadOnlyList<PendingCall> Pending { get; private set; } = [];

    public IReadOnlyList<LoggedEvent> QueuedInterrupts { get; private set; } = [];

    /// <summary>User messages no model request has taken yet.</summary>
    public IReadOnlyList<LoggedEvent> QueuedMessages { get; private set; } = [];

    /// <summary>Other unprocessed input (confirmations, custom results, outcomes) still to acknowledge.</summary>
    public IReadOnlyList<LoggedEvent> QueuedOther { get; private set; } = [];

    /// <summary>A tool result arrived after the last successful response: the model must see it.</summary>
    public bool ResultsSinceResponse { get; private set; }

    /// <summary>The stop reason of the last successful model response.</summary>
    public string? LastStopReason { get; private set; }

    /// <summary>Failed model requests since the last success (or the turn's start).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>
    /// The model owes an answer: to queued messages, to tool results it hasn't seen, or to a
    /// request that failed (its messages were taken when it was sent).
    /// </summary>
    public bool NeedsModel => QueuedMessages.Count > 0 || ResultsSinceResponse || ConsecutiveFailures > 0;

    /// <summary>A client answered a tool call while the session waited (the answer resumes the turn).</summary>
    public bool ClientAnswered => QueuedOther.Any(e => e.Type is "user.custom_tool_result" or "user.tool_result" or "user.tool_confirmation");

    public static LogState Of(IReadOnlyList<LoggedEvent> events)
    {
        var state = new LogState();
        var uses = new Dictionary<string, LoggedEvent>(StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var confirmations = new Dictionary<string, LoggedEvent>(StringComparer.Ordinal);
        var interrupts = new List<LoggedEvent>();
        var messages = new List<LoggedEvent>();
        var other = new List<LoggedEvent>();
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case "session.status_running" or "session.status_rescheduled" or "session.status_terminated":
                    state.LastStatus = e.Type;
                    break;
                case "session.status_idle":
                    state.LastStatus = e.Type;
                    state.LastIdle = e;
                    state.ConsecutiveFailures = 0;
                    break;
                case "span.model_request_start":
                    state.OpenRequestId = e.Id;
                    break;
                case "span.model_request_end":
                    state.OpenRequestId = null;
                    if ((bool?)e.Json["is_error"] == true)
                    {
                        state.ConsecutiveFailures++;
                    }
                    else
                    {
                        state.ConsecutiveFailures = 0;
                        state.ResultsSinceResponse = false;
                        state.LastStopReason = (string?)e.Private?["stop_reason"] ?? "end_turn";
                    }
                    break;
                case var t when UseTypes.Contains(t):
                    uses[e.Id] = e;
                    break;
                case "agent.tool_result" or "agent.mcp_tool_result" or "user.custom_tool_result" or "user.tool_result":
                    if ((e.String("tool_use_id") ?? e.String("mcp_tool_use_id") ?? e.String("custom_tool_use_id")) is { } useId)
                    {
                        answered.Add(useId);
                    }
                    state.ResultsSinceResponse = true;
                    break;
                case "user.tool_confirmation":
                    confirmations.TryAdd(e.String("tool_use_id") ?? "", e);
                    break;
            }
            if (!e.IsProcessed)
            {
                (e.Type switch
                {
                    "user.interrupt" => interrupts,
                    "user.message" => messages,
                    "user.tool_confirmation" or "user.custom_tool_result" or "user.tool_result" or "user.define_outcome" => other,
                    _ => null,
                })?.Add(e);
            }
        }
        state.Pending = [.. uses.Values.Where(u => !answered.Contains(u.Id)).OrderBy(u => u.Seq).Select(u => Classify(u, confirmations))];
        state.QueuedInterrupts = interrupts;
        state.QueuedMessages = messages;
        state.QueuedOther = other;
        return state;
    }

    private static PendingCall Classify(LoggedEvent use, Dictionary<string, LoggedEvent> confirmations)
    {
        if (use.Type == "agent.custom_tool_use")
        {
            return new PendingCall(use, CallState.AwaitingClientResult, null, null);
        }
        switch (use.String("evaluated_permission"))
        {
            case "allow":
                return new PendingCall(use, CallState.Runnable, null, null);
            case "ask":
                if (!confirmations.TryGetValue(use.Id, out var confirmation))
                {
                    return new PendingCall(use, CallState.AwaitingConfirmation, null, null);
                }
                return confirmation.String("result") == "allow"
                    ? new PendingCall(use, CallState.Runnable, null, confirmation.Id)
                    : new PendingCall(use, CallState.Denied, confirmation.String("deny_message"), confirmation.Id);
            default:
                return new PendingCall(use, CallState.Denied, null, null);
        }
    }
}
