using System.Collections.Concurrent;
using System.Diagnostics;
using Hangar.Harness;

namespace Hangar.Bench;

/// <summary>One finished harness span, timed on the <see cref="Stopwatch"/> clock the scenarios use.</summary>
public sealed record HarnessSpan(string Name, string? Step, string? SessionId, long StartTicks, long EndTicks)
{
    public double Ms => Stopwatch.GetElapsedTime(StartTicks, EndTicks).TotalMilliseconds;
}

/// <summary>
/// Listens to the harness's <see cref="HarnessTelemetry"/> spans of the in-process workers and
/// keeps them per session, so a scenario can break a turn down into where its time went.
/// </summary>
public sealed class HarnessSpans : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<Activity, long> _started = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<HarnessSpan>> _bySession = new(StringComparer.Ordinal);

    public HarnessSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HarnessTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => _started[activity] = Stopwatch.GetTimestamp(),
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Takes (and forgets) the spans of <paramref name="sessionId"/> finished so far.</summary>
    public IReadOnlyList<HarnessSpan> Take(string sessionId)
    {
        var spans = new List<HarnessSpan>();
        if (_bySession.TryGetValue(sessionId, out var queue))
        {
            while (queue.TryDequeue(out var span))
            {
                spans.Add(span);
            }
        }
        return spans;
    }

    private void Stopped(Activity activity)
    {
        var end = Stopwatch.GetTimestamp();
        if (!_started.TryRemove(activity, out var start) || SessionOf(activity) is not { } sessionId)
        {
            return; // A claim that found nothing.
        }
        var span = new HarnessSpan(activity.OperationName, activity.GetTagItem(HarnessTelemetry.StepTag) as string, sessionId, start, end);
        _bySession.GetOrAdd(sessionId, _ => new ConcurrentQueue<HarnessSpan>()).Enqueue(span);
    }

    /// <summary>The session tag of the span or of its nearest ancestor that has one.</summary>
    private static string? SessionOf(Activity? activity)
    {
        for (; activity is not null; activity = activity.Parent)
        {
            if (activity.GetTagItem(HarnessTelemetry.SessionTag) is string sessionId)
            {
                return sessionId;
            }
        }
        return null;
    }

    public void Dispose() => _listener.Dispose();
}
