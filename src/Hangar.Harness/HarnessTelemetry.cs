using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangar.Harness.Workers;

namespace Hangar.Harness;

/// <summary>
/// The harness's tracing spans (an <see cref="ActivitySource"/> named <c>Hangar.Harness</c>): what
/// a worker spends between a wake-up and the model call, and after it. Free when nobody listens;
/// OpenTelemetry (<c>AddSource("Hangar.Harness")</c>) or an <see cref="ActivityListener"/> turns them on.
/// Its metrics (a <see cref="System.Diagnostics.Metrics.Meter"/> of the same name, <c>AddMeter("Hangar.Harness")</c>
/// or <c>dotnet-counters monitor --counters Hangar.Harness -p &lt;pid&gt;</c>) say how full each worker
/// pool is and how many dead workers' sessions it took over, tagged with the pool's owner and the
/// slot kind (<see cref="SlotKind"/>): <see cref="RunningMetric"/>, <see cref="SlotsMetric"/>, <see cref="TakeoversMetric"/>.
/// </summary>
public static class HarnessTelemetry
{
    public const string SourceName = "Hangar.Harness";

    /// <summary>Gauge: sessions a pool runs now, per slot kind.</summary>
    public const string RunningMetric = "hangar.harness.sessions.running";

    /// <summary>Gauge: a pool's slots per kind (<c>--concurrency</c>, <c>--takeover-headroom</c>).</summary>
    public const string SlotsMetric = "hangar.harness.slots";

    /// <summary>Counter: interrupted sessions (a dead owner's: lease expired, never released) a pool claimed, per slot kind.</summary>
    public const string TakeoversMetric = "hangar.harness.takeovers";

    /// <summary>The pool's owner (host:pid:guid), on every metric.</summary>
    public const string OwnerTag = "hangar.worker.owner";

    /// <summary><c>concurrency</c> or <c>headroom</c>, on every metric.</summary>
    public const string SlotTag = "hangar.worker.slot";

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

    public static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> Takeovers = Meter.CreateCounter<long>(
        TakeoversMetric, "{session}", "Interrupted sessions (lease expired without release) claimed by this pool");

    // The pools of this process the gauges report on; a process may run several (tests do).
    private static readonly ConcurrentDictionary<WorkerSlots, bool> Pools = new();

    // The meter keeps its instruments; the gauges read whatever pools are registered when collected.
    static HarnessTelemetry()
    {
        Meter.CreateObservableGauge(RunningMetric, () => Observe(slots => slots.Running), "{session}", "Sessions this pool runs now");
        Meter.CreateObservableGauge(SlotsMetric, () => Observe(slots => slots.Capacity), "{session}", "Sessions this pool may run at once");
    }

    /// <summary>Reports <paramref name="slots"/> on the gauges until the returned handle is disposed.</summary>
    internal static IDisposable Report(WorkerSlots slots)
    {
        Pools[slots] = true;
        return new Unregister(slots);
    }

    internal static TagList Tags(WorkerSlots slots, SlotKind kind) =>
        new() { { OwnerTag, slots.Owner }, { SlotTag, kind == SlotKind.Headroom ? "headroom" : "concurrency" } };

    private static IEnumerable<Measurement<int>> Observe(Func<WorkerSlots, Func<SlotKind, int>> value) =>
        Pools.Keys.SelectMany(slots => new[] { SlotKind.Concurrency, SlotKind.Headroom }
            .Select(kind => new Measurement<int>(value(slots)(kind), Tags(slots, kind))));

    private sealed class Unregister(WorkerSlots slots) : IDisposable
    {
        public void Dispose() => Pools.TryRemove(slots, out _);
    }

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
