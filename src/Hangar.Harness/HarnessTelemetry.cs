using System.Diagnostics;

namespace Hangar.Harness;

/// <summary>
/// The harness's tracing spans (an <see cref="ActivitySource"/> named <c>Hangar.Harness</c>): what
/// a worker spends between a wake-up and the model call, and after it. Free when nobody listens;
/// OpenTelemetry (<c>AddSource("Hangar.Harness")</c>) or an <see cref="ActivityListener"/> turns them on.
/// </summary>
public static class HarnessTelemetry
{
    public const string SourceName = "Hangar.Harness";

    /// <summary>Finding and leasing a session with work.</summary>
    public const string Claim = "harness.claim";

    /// <summary>wake(sessionId): from the claim until the lease is released (tag <see cref="SessionTag"/>).</summary>
    public const string Wake = "harness.wake";

    /// <summary>One step of a session (tag <see cref="StepTag"/>: the step's kind).</summary>
    public const string Step = "harness.step";

    /// <summary>Reading the events appended since the last read.</summary>
    public const string Read = "harness.read";

    /// <summary>Rebuilding the model request from the log.</summary>
    public const string Context = "harness.context";

    /// <summary>One fenced write: events, session row, processed marks, work flag.</summary>
    public const string Write = "harness.write";

    /// <summary>The streamed model call, from request to the complete response.</summary>
    public const string Model = "harness.model";

    /// <summary>
    /// Waiting out a passing store failure before trying again (tags <see cref="FailuresTag"/>
    /// and <see cref="ReasonTag"/>); the span lasts as long as the wait.
    /// </summary>
    public const string StoreRetry = "harness.store_retry";

    public const string SessionTag = "hangar.session_id";

    /// <summary>Consecutive failures so far, including the one being waited out.</summary>
    public const string FailuresTag = "hangar.failures";

    public const string ReasonTag = "hangar.reason";

    public const string StepTag = "hangar.step";

    public static readonly ActivitySource Source = new(SourceName);

    public static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    /// <summary>
    /// Starts a span (null when nobody listens); spans inside a step inherit its session through the parent.
    /// The tags are given at creation, so samplers and listeners see them when the span starts.
    /// </summary>
    public static Activity? Start(string name, string? sessionId = null, params IEnumerable<KeyValuePair<string, object?>> tags)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        IEnumerable<KeyValuePair<string, object?>> all = sessionId is null ? tags : [new(SessionTag, sessionId), .. tags];
        return Source.StartActivity(name, ActivityKind.Internal, parentContext: default, tags: all);
    }
}
