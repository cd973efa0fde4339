using System.Diagnostics;
using Hangar.Storage;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Durable append throughput of the session log: each append is acknowledged only once committed
/// (SQLite WAL + synchronous=FULL; PostgreSQL with fsync on). Shapes: one session with one
/// writer (a single busy session), 100 sessions with 8 concurrent writers (a busy server with few
/// workers), and 100 sessions each with its own writer (100 appends in flight: what a server
/// sees when every running session writes at once, as the harness does, one write at a time
/// per session); each with 1 and with 10 events per append, on SQLite and PostgreSQL. Variants
/// take turns in time slices, round after round. PostgreSQL also runs as it appended before issue 14
/// (a round trip per statement) on a store of its own, interleaved with today's, for a before/after.
/// </summary>
public sealed class LogAppendScenario : IScenario
{
    public string Name => "log-append";

    public int Order => 10;

    private sealed record Shape(string Name, int Sessions, int Writers);

    private sealed record Variant(Engine Engine, Shape Shape, int Batch, VariantSamples Samples, IHangarStore Store, string WorkspaceId, IReadOnlyList<string> SessionIds, bool Before = false);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rounds = context.Size(10, 2);
        var slice = context.Size(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));
        var sessionCount = context.Size(100, 10);
        Shape[] shapes =
        [
            new("1 session, 1 writer", 1, 1),
            new($"{sessionCount} sessions, 8 writers", sessionCount, 8),
            new($"{sessionCount} sessions, 1 writer each", sessionCount, sessionCount),
        ];
        int[] batches = [1, 10];
        var stores = new Dictionary<Engine, IHangarStore>();
        IHangarStore? before = null;
        try
        {
            var variants = new List<Variant>();
            foreach (var engine in Enum.GetValues<Engine>())
            {
                stores[engine] = await context.OpenStoreAsync(engine, ct);
                foreach (var shape in shapes)
                {
                    foreach (var batch in batches)
                    {
                        var (workspace, sessions) = await BenchData.SessionsAsync(stores[engine], shape.Sessions, ct);
                        var name = $"{Label(engine)}, {shape.Name}, batch {batch}";
                        variants.Add(new Variant(engine, shape, batch, new VariantSamples(name), stores[engine], workspace, sessions));
                    }
                }
            }
            // The PostgreSQL append as it was before issue 14 (a round trip per statement), on a second store
            // with sessions of its own (it does not keep the event head), interleaved with the new one.
            before = await context.OpenStoreAsync(Engine.Postgres, ct);
            ((Hangar.Storage.Postgres.PostgresHangarStore)before).AppendsRoundTripPerStatement = true;
            foreach (var shape in shapes)
            {
                foreach (var batch in batches)
                {
                    var (workspace, sessions) = await BenchData.SessionsAsync(before, shape.Sessions, ct);
                    var name = $"postgres before issue 14 (a round trip per statement), {shape.Name}, batch {batch}";
                    variants.Add(new Variant(Engine.Postgres, shape, batch, new VariantSamples(name), before, workspace, sessions, Before: true));
                }
            }
            context.Progress($"log-append: {variants.Count} variants × {rounds} rounds of {slice.TotalSeconds:0.0} s");
            await Interleaving.RunAsync(rounds, [.. variants.Select(v => (Func<int, Task>)(_ => SliceAsync(v, slice, ct)))], ct,
                m => context.Progress("log-append: " + m));
            return [.. variants.Select(v => ToResult(v, variants))];
        }
        finally
        {
            foreach (var store in stores.Values.Append(before))
            {
                if (store is not null)
                {
                    await store.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Appends for one time slice with the variant's writers; each writer cycles over its share of the sessions.</summary>
    private static async Task SliceAsync(Variant v, TimeSpan slice, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        long events = 0;
        var writers = Enumerable.Range(0, v.Shape.Writers).Select(w => Task.Run(async () =>
        {
            var k = w;
            while (clock.Elapsed < slice)
            {
                var session = v.SessionIds[k % v.SessionIds.Count];
                k += v.Shape.Writers;
                var batch = BenchData.AgentMessages(v.Batch);
                var started = Stopwatch.GetTimestamp();
                await v.Store.Events.AppendAsync(v.WorkspaceId, session, batch, ct);
                v.Samples.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref events, batch.Count);
            }
        }, ct)).ToList();
        await Task.WhenAll(writers);
        v.Samples.AddRound(events, clock.Elapsed);
    }

    private static Result ToResult(Variant v, List<Variant> all)
    {
        var ratios = new List<Ratio>();
        if (v.Engine == Engine.Postgres && !v.Before)
        {
            var sqlite = all.Single(o => o.Engine == Engine.Sqlite && o.Shape == v.Shape && o.Batch == v.Batch);
            ratios.Add(v.Samples.RateRatioTo(sqlite.Samples, "events/s", "sqlite"));
            var before = all.Single(o => o.Before && o.Shape == v.Shape && o.Batch == v.Batch);
            ratios.Add(v.Samples.RateRatioTo(before.Samples, "events/s", "before issue 14"));
        }
        if (v.Batch != 1)
        {
            var single = all.Single(o => o.Engine == v.Engine && o.Before == v.Before && o.Shape == v.Shape && o.Batch == 1);
            ratios.Add(v.Samples.RateRatioTo(single.Samples, "events/s", "batch 1"));
        }
        return new Result("log-append", v.Samples.Name, v.Samples.Operations, v.Samples.Latency(),
            new Throughput(v.Samples.Rate, "events/s"), ratios, "latency per append call");
    }

    internal static string Label(Engine engine) => engine == Engine.Sqlite ? "sqlite" : "postgres";
}
