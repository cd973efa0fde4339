using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hangar.Bench.Micro;

/// <summary>
/// The BenchmarkDotNet micro benchmarks of this folder, run in-process as one scenario so the one
/// command covers them and their rows land in the same table: one row per benchmark case, with the
/// time per operation, the bytes allocated per operation and, for a case with parameters, the
/// ratio of its median to the smallest parameter's (the median, because the shared machine's
/// noise skews means). Runs first: it is short and fails fast.
/// </summary>
public sealed class MicroScenario : IScenario
{
    public string Name => "micro";

    public int Order => 5;

    public Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        if (!context.Smoke && MicroConfig.IsDebugBuild)
        {
            throw new InvalidOperationException(
                "micro: this is a Debug build and BenchmarkDotNet figures need an optimized one: run with -c Release (or use --smoke).");
        }
        var logger = new ProgressLogger(context.Progress);
        var config = MicroConfig.Create(context.Smoke, context.TempDirectory("benchmarkdotnet"), logger);
        var types = MicroConfig.BenchmarkTypes();
        context.Progress($"micro: BenchmarkDotNet in-process, {(context.Smoke ? "dry job (smoke)" : "short job")}: {string.Join(", ", types.Select(t => t.Name))}");
        ct.ThrowIfCancellationRequested();
        var summaries = BenchmarkRunner.Run(types, config);
        var reports = summaries.SelectMany(s => s.Reports).ToList();
        var failed = summaries.SelectMany(s => s.BenchmarksCases).Where(c => !reports.Any(r => r.BenchmarkCase == c && r.Success && r.ResultStatistics is not null)).ToList();
        if (summaries.Any(s => s.HasCriticalValidationErrors) || failed.Count > 0)
        {
            throw new InvalidOperationException(
                $"micro: {failed.Count} benchmark(s) failed ({string.Join(", ", failed.Select(c => c.DisplayInfo))}): "
                + string.Join(" | ", logger.Errors.Concat(summaries.SelectMany(s => s.ValidationErrors).Select(e => e.Message))));
        }
        var note = context.Smoke ? "smoke: Debug build, one invocation: figures meaningless" : null;
        return Task.FromResult<IReadOnlyList<Result>>([.. reports.Select(r => ToResult(r, reports, note))]);
    }

    private static Result ToResult(BenchmarkReport report, IReadOnlyList<BenchmarkReport> all, string? note)
    {
        var stats = report.ResultStatistics!;
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        var time = new OperationTime(stats.Mean, stats.Median, stats.Percentiles.P95, stats.StandardDeviation, allocated);
        var baseline = Baseline(report, all);
        IReadOnlyList<Ratio> ratios = baseline is null
            ? []
            : [new Ratio(ParameterLabel(baseline.BenchmarkCase), "p50", stats.Median / baseline.ResultStatistics!.Median)];
        return new Result("micro", Label(report.BenchmarkCase), stats.N, Ratios: ratios, Note: note, PerOperation: time);
    }

    /// <summary>"context: build request (ContextBuilder.Build), 500 events".</summary>
    private static string Label(BenchmarkCase c)
    {
        var descriptor = c.Descriptor;
        var category = descriptor.Categories.FirstOrDefault() ?? descriptor.Type.Name;
        var parameters = ParameterLabel(c);
        return $"{category}: {descriptor.WorkloadMethod.GetCustomAttribute<BenchmarkAttribute>()?.Description ?? descriptor.WorkloadMethod.Name}{(parameters.Length > 0 ? ", " + parameters : "")}";
    }

    private static string ParameterLabel(BenchmarkCase c) =>
        string.Join(", ", c.Parameters.Items.Select(p => $"{p.Value} {p.Name.ToLowerInvariant()}"));

    /// <summary>The same benchmark with the smallest parameters, when this case is not it.</summary>
    private static BenchmarkReport? Baseline(BenchmarkReport report, IReadOnlyList<BenchmarkReport> all)
    {
        if (report.BenchmarkCase.Parameters.Count == 0)
        {
            return null;
        }
        var smallest = all
            .Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod == report.BenchmarkCase.Descriptor.WorkloadMethod)
            .OrderBy(r => r.BenchmarkCase.Parameters.Items[0].Value as IComparable)
            .First();
        return smallest == report ? null : smallest;
    }
}
