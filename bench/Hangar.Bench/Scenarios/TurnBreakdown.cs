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
    // One entry per part, in the order of a turn, filled by every turn that has the plain shape.
    private readonly List<(string Part, string Meaning, List<double> Samples)> _parts = [];

    /// <summary>Adds one turn: the POST's start, the harness spans of the session, the SSE arrival of agent.message.</summary>
    public void Add(long postStarted, IReadOnlyList<HarnessSpan> spans, long messageSeen)
    {
        var claim = spans.LastOrDefault(s => s.Name == Harness.HarnessTelemetry.Claim && s.StartTicks >= postStarted);
        var start = spans.FirstOrDefault(s => s.Step == "StartTurn" && s.StartTicks >= postStarted);
        var call = spans.FirstOrDefault(s => s.Step == "CallModel" && s.StartTicks >= postStarted);
        var read = claim is null ? null : spans.FirstOrDefault(s => s.Name == Harness.HarnessTelemetry.Read && s.StartTicks >= claim.EndTicks);
        if (claim is null || start is null || call is null || read is null)
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
        (string Part, string Meaning, double Ms)[] turn =
        [
            ("POST → worker claims", "request, user.message append + commit, work signal, worker wake-up", Ms(postStarted, claim.StartTicks)),
            ("claim", "find claimable + take the lease (one write)", claim.Ms),
            ("claimed → first step", "session row + log read, decide", Ms(claim.EndTicks, start.StartTicks)),
            ("of which: log read", "the whole log, read at wake-up", read.Ms),
            ("StartTurn step", "session.status_running (one write)", start.Ms),
            ("between steps", "read back + decide", Ms(start.EndTicks, call.StartTicks)),
            ("context build", "log → Messages request", context.Ms),
            ("span start write", "span.model_request_start (one write)", writes[0].Ms),
            ("model call", "streamed request to the fake, complete", model.Ms),
            ("response write", "agent.message + span end (one write)", writes[^1].Ms),
            ("written → SSE frame", "store notification → stream → client", Ms(writes[^1].EndTicks, messageSeen)),
        ];
        if (_parts.Count == 0)
        {
            _parts.AddRange(turn.Select(p => (p.Part, p.Meaning, new List<double>())));
        }
        for (var i = 0; i < turn.Length; i++)
        {
            _parts[i].Samples.Add(turn[i].Ms);
        }
    }

    public IEnumerable<Result> Rows(string scenario) =>
        _parts.Select(p => new Result(scenario, $"{label} breakdown: {p.Part}", p.Samples.Count, Latency.Of(p.Samples), Note: p.Meaning));

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
