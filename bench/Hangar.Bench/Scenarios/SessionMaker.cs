using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Makes idle sessions with history: sessions of one agent (with the built-in tools) in one
/// environment, each of which ran one turn and went idle. The first turns run in batches; their
/// failures are kept for the report.
/// </summary>
public sealed class SessionMaker(WorkingServer hangar, Action<string> progress)
{
    // Several times the p99 of 100 tool turns at once on a loaded 2-core machine (~16 s), and well
    // under bash's own 120 s timeout: a hung turn is interrupted instead of holding the run for 2 min.
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(45);
    private readonly ConcurrentQueue<string> _failures = new();
    private string? _agent;
    private string? _environment;

    /// <summary>What went wrong in first turns (one line per failed turn).</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    public async Task DefineAsync(CancellationToken ct)
    {
        _agent = await SseLatencyScenario.CreateAsync(hangar.Client, "/v1/agents", new JsonObject
        {
            ["name"] = "bench-footprint",
            ["model"] = "claude-sonnet-4-5",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        }, ct);
        _environment = await SseLatencyScenario.CreateAsync(hangar.Client, "/v1/environments", new JsonObject
        {
            ["name"] = "bench-footprint",
            ["config"] = new JsonObject { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "unrestricted" } },
        }, ct);
    }

    /// <summary>
    /// Creates <paramref name="count"/> sessions and runs one turn on each, <paramref name="batch"/> at a
    /// time (a tool turn or a text-only one); returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateWithFirstTurnAsync(int count, int batch, bool withTool, CancellationToken ct)
    {
        if (count <= 0)
        {
            return [];
        }
        if (_agent is null || _environment is null)
        {
            throw new InvalidOperationException("DefineAsync first.");
        }
        // A client of its own, disposed at the end: its connections must not stay open on the server
        // while the footprint is measured.
        using var client = hangar.NewClient();
        var ids = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, token) => ids[i] = await SseLatencyScenario.CreateAsync(client, "/v1/sessions",
                new JsonObject { ["agent"] = _agent, ["environment_id"] = _environment }, token));
        var (wall, cpu, kernel) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        foreach (var chunk in ids.Chunk(batch))
        {
            var turns = await ConcurrentTurns.RunAsync(client, chunk, withTool, TurnTimeout, ct);
            foreach (var failure in turns.Failures)
            {
                _failures.Enqueue("first turn: " + failure);
            }
            (wall, cpu, kernel) = (wall + turns.Wall, cpu + turns.Cpu, kernel + turns.KernelCpu);
        }
        progress($"{count} first {(withTool ? "tool" : "text-only")} turns, {batch} at a time: {count / wall.TotalSeconds:0.0} turns/s, {cpu.TotalMilliseconds / count:0} ms CPU per turn ({100 * (kernel / cpu):0} % kernel)");
        return ids;
    }
}
