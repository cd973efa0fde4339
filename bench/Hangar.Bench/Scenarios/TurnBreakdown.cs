using System.Diagnostics;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Where the time of a one-model-call turn goes, from the harness's spans (<see cref="HarnessSpans"/>)
/// and the client's clock: POST → the worker starts claiming → claimed → <c>StartTurn</c> written →
/// <c>CallModel</c> (context, span-start write, the model, the response write) → the SSE frame.
/// Each part collects one sample per turn; the rows show which part the overhead lives in.
/// </summary>
public sealed class TurnBreakdown(string label)
{
    private readonly Dictionary<string, List<double>> _parts = new(StringComparer.Ordinal);

    public static readonly IReadOnlyList<(string Part, string Meaning)> Parts =
    [
        ("POST → worker claims", "request, user.message append + commit, work signal, worker wake-up"),
        ("claim", "find claimable + take the lease (one write)"),
        ("claimed → first step", "session row + log read, decide"),
        ("of which: log read", "the whole log, read at wake-up"),
        ("StartTurn step", "session.status_running (one write)"),
        ("between steps", "read back + decide"),
        ("context build", "log → Messages request"),
        ("span start write", "span.model_request_start (one write)"),
        ("model call", "streamed request to the fake, complete"),
        ("response write", "agent.message + span end (one write)"),
        ("written → SSE frame", "store notification → stream → client"),
    ];

    /// <summary>Adds one turn: the POST's start, the harness spans of the session, the SSE arrival of agent.message.</summary>
    public void Add(long postStarted, IReadOnlyList<HarnessSpan> spans, long messageSeen)
    {
        var claim = spans.LastOrDefault(s => s.Name == Harness.HarnessTelemetry.Claim && s.StartTicks >= postStarted);
        var start = spans.FirstOrDefault(s => s.Step == "StartTurn" && s.StartTicks >= postStarted);
        var call = spans.FirstOrDefault(s => s.Step == "CallModel" && s.StartTicks >= postStarted);
        if (claim is null || start is null || call is null)
        {
            return; // Not the plain shape (e.g. the turn began before the POST): leave it out.
        }
        var inCall = spans.Where(s => s.StartTicks >= call.StartTicks && s.EndTicks <= call.EndTicks).ToList();
        var context = inCall.FirstOrDefault(s => s.Name == Harness.HarnessTelemetry.Context);
        var model = inCall.FirstOrDefault(s => s.Name == Harness.HarnessTelemetry.Model);
        var writes = inCall.Where(s => s.Name == Harness.HarnessTelemetry.Write).OrderBy(s => s.StartTicks).ToList();
        if (context is null || model is null || writes.Count < 2)
        {
            return;
        }
        Add("POST → worker claims", Ms(postStarted, claim.StartTicks));
        Add("claim", claim.Ms);
        Add("claimed → first step", Ms(claim.EndTicks, start.StartTicks));
        if (spans.FirstOrDefault(s => s.Name == Harness.HarnessTelemetry.Read && s.StartTicks >= claim.EndTicks) is { } read)
        {
            Add("of which: log read", read.Ms);
        }
        Add("StartTurn step", start.Ms);
        Add("between steps", Ms(start.EndTicks, call.StartTicks));
        Add("context build", context.Ms);
        Add("span start write", writes[0].Ms);
        Add("model call", model.Ms);
        Add("response write", writes[^1].Ms);
        Add("written → SSE frame", Ms(writes[^1].EndTicks, messageSeen));
    }

    public IEnumerable<Result> Rows(string scenario) =>
        Parts.Where(p => _parts.ContainsKey(p.Part)).Select(p =>
            new Result(scenario, $"{label} breakdown: {p.Part}", _parts[p.Part].Count, Latency.Of(_parts[p.Part]), Note: p.Meaning));

    private void Add(string part, double ms)
    {
        if (!_parts.TryGetValue(part, out var samples))
        {
            _parts[part] = samples = [];
        }
        samples.Add(ms);
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
