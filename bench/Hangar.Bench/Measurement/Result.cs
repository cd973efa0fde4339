namespace Hangar.Bench;

/// <summary>
/// One row of the results: a variant of a scenario. <see cref="Latency"/> and/or
/// <see cref="Throughput"/> are set depending on what the scenario measures; micro benchmarks
/// set <see cref="PerOperation"/> instead of <see cref="Latency"/> (nanoseconds, not milliseconds).
/// </summary>
public sealed record Result(
    string Scenario,
    string Variant,
    int N,
    Latency? Latency = null,
    Throughput? Throughput = null,
    IReadOnlyList<Ratio>? Ratios = null,
    string? Note = null,
    OperationTime? PerOperation = null);

/// <summary>Latency percentiles in milliseconds over <see cref="Result.N"/> samples.</summary>
public sealed record Latency(double P50Ms, double P95Ms, double P99Ms, double MeanMs, double MaxMs)
{
    public static Latency Of(IReadOnlyList<double> samplesMs)
    {
        if (samplesMs.Count == 0)
        {
            return new Latency(0, 0, 0, 0, 0);
        }
        var sorted = samplesMs.Order().ToArray();
        return new Latency(Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted.Average(), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// A micro benchmark's time per operation in nanoseconds, over <see cref="Result.N"/> measured
/// iterations (each the mean of many operations), and the bytes it allocates per operation.
/// </summary>
public sealed record OperationTime(double MeanNs, double MedianNs, double P95Ns, double StdDevNs, double? AllocatedBytes);

/// <summary>A rate: <see cref="Value"/> units per second, e.g. events/s.</summary>
public sealed record Throughput(double Value, string Unit);

/// <summary>
/// This variant's metric divided by the baseline variant's, measured side by side in the same
/// run. <see cref="Metric"/> names what was divided (e.g. <c>events/s</c> or <c>p50</c>);
/// <see cref="Baseline"/> is a short label for the baseline (the part of its name that differs).
/// </summary>
public sealed record Ratio(string Baseline, string Metric, double Value);
