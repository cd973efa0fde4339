using System.Diagnostics;
using Hangar.Storage;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Read throughput of the session log: a whole 10k-event session read with
/// <see cref="ISessionLog.ReadAsync"/> in pages of 100 (what an SSE reader or the harness does
/// when it catches up), SQLite vs PostgreSQL, one full pass per engine per round, alternating.
/// </summary>
public sealed class LogReadScenario : IScenario
{
    private const int PageSize = 100;

    public string Name => "log-read";

    public int Order => 20;

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var events = context.Size(10_000, 500);
        var rounds = context.Size(30, 2);
        var stores = new Dictionary<Engine, IHangarStore>();
        try
        {
            var variants = new List<(Engine Engine, IHangarStore Store, string SessionId, VariantSamples Samples)>();
            foreach (var engine in Enum.GetValues<Engine>())
            {
                var store = stores[engine] = await context.OpenStoreAsync(engine, ct);
                var (workspace, sessions) = await BenchData.SessionsAsync(store, 1, ct);
                context.Progress($"log-read: seeding {events} events on {LogAppendScenario.Label(engine)}");
                for (var written = 0; written < events; written += PageSize)
                {
                    await store.Events.AppendAsync(workspace, sessions[0], BenchData.AgentMessages(Math.Min(PageSize, events - written)), ct);
                }
                variants.Add((engine, store, sessions[0], new VariantSamples($"{LogAppendScenario.Label(engine)}, pages of {PageSize}")));
            }
            var warmup = new VariantSamples("warm-up");
            foreach (var v in variants)
            {
                await PassAsync(v.Store, v.SessionId, events, warmup, ct); // Caches and connection pools, not measured.
            }
            context.Progress($"log-read: {rounds} rounds of one full pass per engine");
            await Interleaving.RunAsync(rounds, [.. variants.Select(v => (Func<int, Task>)(_ => PassAsync(v.Store, v.SessionId, events, v.Samples, ct)))], ct,
                m => context.Progress("log-read: " + m));
            var sqlite = variants.Single(v => v.Engine == Engine.Sqlite).Samples;
            return [.. variants.Select(v => new Result("log-read", v.Samples.Name, v.Samples.Operations, v.Samples.Latency(),
                new Throughput(v.Samples.Rate, "events/s"),
                v.Engine == Engine.Sqlite ? [] : [v.Samples.RateRatioTo(sqlite, "events/s", "sqlite")],
                $"latency per page; {events} events per pass"))];
        }
        finally
        {
            foreach (var store in stores.Values)
            {
                await store.DisposeAsync();
            }
        }
    }

    private static async Task PassAsync(IHangarStore store, string sessionId, int expected, VariantSamples samples, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        long afterSeq = 0;
        var read = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var page = await store.Events.ReadAsync(sessionId, afterSeq, PageSize, ct);
            samples.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (page.Count == 0)
            {
                break;
            }
            read += page.Count;
            afterSeq = page[^1].Seq;
        }
        if (read != expected)
        {
            throw new InvalidOperationException($"Read {read} events, expected {expected}.");
        }
        samples.AddRound(read, clock.Elapsed);
    }
}
