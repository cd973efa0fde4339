using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Hangar.Harness.Context;
using Hangar.Harness.Log;
using Hangar.Harness.Turns;
using Hangar.Storage;

namespace Hangar.Bench.Micro;

/// <summary>
/// The harness's work on the session log, which grows with the session: parsing the stored
/// events (once per event normally; the whole log when a worker takes a session over), deciding
/// the next step (<see cref="LogState.Of"/> scans the whole log every step), and building the
/// Messages request from the whole log (every model request).
/// </summary>
[BenchmarkCategory("context")]
public class ContextBenchmarks
{
    private IReadOnlyList<EventRecord> _records = [];
    private IReadOnlyList<LoggedEvent> _log = [];
    private JsonObject _agent = [];
    private ContextOptions _options = null!;

    [Params(50, 500)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _records = SessionLogData.Records(Events);
        _log = [.. _records.Select(LoggedEvent.From)];
        _agent = SessionLogData.Agent();
        _options = SessionLogData.Options();
    }

    [Benchmark(Description = "parse stored log (LoggedEvent.From)")]
    public int ParseLog()
    {
        var count = 0;
        foreach (var record in _records)
        {
            count += LoggedEvent.From(record).Json.Count;
        }
        return count;
    }

    [Benchmark(Description = "decide step (LogState.Of + Decide)")]
    public SessionStep DecideStep() => SessionStep.Decide(LogState.Of(_log), ended: false, maxAttempts: 5);

    [Benchmark(Description = "build request (ContextBuilder.Build)")]
    public long BuildRequest() => ContextBuilder.Build(_agent, _log, _options).EstimatedTokens;
}
