using System.Diagnostics;
using Hangar.Server.Harness;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Concurrency and footprint of one server process: SQLite, in-process workers (a pool of 100),
/// real bubblewrap sandboxes, the fake model in a child process so its memory is not counted.
/// Idle: sessions that ran one turn and went idle are added up to 10, 100 and 1,000; after each
/// tier the process's retained managed heap and resident set are compared with a baseline taken
/// before them (per idle session), and it is checked that no sandbox process stays behind.
/// Running: one turn posted at once to each of 10 and to each of 100 of those idle sessions
/// (tiers interleaved over rounds): turn latency (POST → <c>session.status_idle</c>) and turns/s.
/// A tool turn is: the model calls <c>bash echo hi</c>, the sandbox runs it, the model answers.
/// </summary>
public sealed class FootprintScenario : IScenario
{
    // Several times the p99 of 100 tool turns at once on a loaded 2-core machine (~16 s), and well
    // under bash's own 120 s timeout: a hung turn is interrupted instead of holding the run for 2 min.
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(45);

    public string Name => "footprint";

    public int Order => 70;

    private sealed record Running(int Concurrency, VariantSamples Samples, List<string> Failures)
    {
        public TimeSpan Cpu { get; set; }

        public TimeSpan KernelCpu { get; set; }
    }

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        int[] idleTiers = context.Size<int[]>([10, 100, 1000], [2, 4, 6]);
        int[] runningTiers = context.Size<int[]>([10, 100], [2, 4]);
        var rounds = context.Size(2, 1);
        // Idle sessions are made this many at a time (the warm-up too, so its pools match).
        var batch = context.Size(25, 2);
        var ttft = TimeSpan.FromMilliseconds(context.Size(20, 5));
        var cpuWindow = TimeSpan.FromSeconds(context.Size(2.0, 0.2));
        // The default pool runs 4 sessions at once: the largest running tier must run at once.
        var workers = runningTiers.Max();
        // Only the sessions the running tiers use get a tool turn: a bubblewrap turn costs ~0.1 s
        // of CPU here, and 900 more of them do not fit the runner's time budget.
        var toolSessions = runningTiers.Max();
        var clock = Stopwatch.StartNew();
        await using var model = await FakeModelProcess.StartAsync(ttft, ct);
        await using var hangar = await WorkingServer.StartAsync(context, Engine.Sqlite, model.BaseUrl, model.ApiKey,
            s => s with { Concurrency = workers, Sandbox = SandboxKind.Bubblewrap }, ct);
        var sessions = new SessionMaker(hangar, m => context.Progress("footprint: " + m));
        await sessions.DefineAsync(ct);

        // Warm-up on sessions of their own, so that JIT, connection pools and thread pool growth
        // land in the baseline rather than in the first tier.
        context.Progress($"footprint: {workers} workers, model TTFT {ttft.TotalMilliseconds} ms; warm-up: {batch} tool turns at once");
        await sessions.CreateWithFirstTurnAsync(batch, batch, withTool: true, ct);
        var baseline = await MeasureAsync(model, cpuWindow, ct);
        context.Progress($"footprint: baseline {Mb(baseline.Footprint.ManagedBytes)} MB managed, {Mb(baseline.Footprint.ResidentBytes)} MB RSS");

        var tiers = new List<IdleTier>();
        var idle = new List<string>();
        foreach (var tier in idleTiers)
        {
            var tools = Math.Max(0, Math.Min(tier, toolSessions) - idle.Count);
            idle.AddRange(await sessions.CreateWithFirstTurnAsync(tools, batch, withTool: true, ct));
            idle.AddRange(await sessions.CreateWithFirstTurnAsync(tier - idle.Count, batch, withTool: false, ct));
            var measured = await MeasureAsync(model, cpuWindow, ct);
            tiers.Add(new IdleTier(tier, Math.Min(tier, toolSessions), measured));
            context.Progress($"footprint: {tier} idle sessions: {Mb(measured.Footprint.ManagedBytes)} MB managed, {Mb(measured.Footprint.ResidentBytes)} MB RSS, " +
                $"{measured.Footprint.Bwraps} bwrap, {measured.Footprint.OpenFiles} fds, idle CPU {measured.IdleCpu * 100:0.0} %");
        }
        var results = new List<Result>(tiers.Select(t => t.Row(Name, baseline)));

        var running = runningTiers.Select(c => new Running(c, new VariantSamples($"{c} sessions running at once"), [])).ToList();
        context.Progress($"footprint: running {string.Join(", ", runningTiers)} tool turns at once, {rounds} rounds interleaved");
        await Interleaving.RunAsync(rounds, [.. running.Select(r => (Func<int, Task>)(_ => RunTierAsync(context, hangar, idle, r, ct)))], ct);
        var first = running[0];
        foreach (var r in running)
        {
            var latency = r.Samples.Latency();
            Ratio[] ratios = r == first ? [] :
            [
                r.Samples.RateRatioTo(first.Samples, "turns/s", $"{first.Concurrency}"),
                new Ratio($"{first.Concurrency}", "p95", latency.P95Ms / first.Samples.Latency().P95Ms),
            ];
            results.Add(new Result(Name, r.Samples.Name, r.Samples.Operations, latency, new Throughput(r.Samples.Rate, "turns/s"), ratios,
                $"POST → session.status_idle; 2 model calls (TTFT {ttft.TotalMilliseconds} ms) + bash echo hi in bubblewrap; pool of {workers} workers; " +
                $"{r.Cpu.TotalMilliseconds / Math.Max(1, r.Samples.Operations):0} ms CPU per turn in this process, {100 * (r.KernelCpu / r.Cpu):0} % of it in the kernel " +
                "(bwrap's own CPU not counted); " +
                $"failed turns: {TurnBatch.Summary(r.Failures)}"));
        }
        var most = idleTiers.Max();
        results.Add(new Result(Name, $"{most} sessions running at once", 0, Note: context.Smoke ? "not run" :
            $"not run: at the {running[^1].Samples.Rate:0.0} turns/s measured with {workers} at once, {most} tool turns would add " +
            $"~{most / running[^1].Samples.Rate:0} s to this scenario's {clock.Elapsed.TotalSeconds:0} s, over its ~90 s share of the runner's " +
            $"10-minute budget; and a pool of {workers} runs {workers} at once, the rest would only queue"));
        context.Progress($"footprint: {clock.Elapsed.TotalSeconds:0} s; first-turn failures: {TurnBatch.Summary(sessions.Failures)}; " +
            $"fake model process RSS {Mb(model.ResidentBytes())} MB");
        if (sessions.Failures.Count > 0)
        {
            results.Add(new Result(Name, "failed first turns (idle sessions)", sessions.Failures.Count, Note: TurnBatch.Summary(sessions.Failures)));
        }
        return results;
    }

    private static async Task RunTierAsync(BenchContext context, WorkingServer hangar, List<string> idle, Running r, CancellationToken ct)
    {
        using var client = hangar.NewClient();
        var batch = await ConcurrentTurns.RunAsync(client, idle[..r.Concurrency], withTool: true, TurnTimeout, ct);
        foreach (var ms in batch.LatenciesMs)
        {
            r.Samples.AddLatency(ms);
        }
        r.Samples.AddRound(batch.LatenciesMs.Count, batch.Wall);
        r.Failures.AddRange(batch.Failures);
        r.Cpu += batch.Cpu;
        r.KernelCpu += batch.KernelCpu;
        context.Progress($"footprint: {r.Concurrency} at once: {batch.LatenciesMs.Count / batch.Wall.TotalSeconds:0.0} turns/s, " +
            $"{batch.Cpu.TotalMilliseconds / r.Concurrency:0} ms CPU per turn ({100 * (batch.KernelCpu / batch.Cpu):0} % kernel), {batch.Failures.Count} failed");
    }

    /// <summary>A footprint once the last turns' aftermath (sandbox teardown, checkpoints) settled, and the CPU used while nothing runs.</summary>
    private static async Task<IdleMeasurement> MeasureAsync(FakeModelProcess model, TimeSpan cpuWindow, CancellationToken ct)
    {
        await Task.Delay(cpuWindow / 2, ct);
        var cpu = await ProcessFootprint.CpuShareAsync(cpuWindow, ct);
        return new IdleMeasurement(ProcessFootprint.Take(model.ProcessId), cpu);
    }

    internal static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
