using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Bench;

/// <summary>Writes <c>latest.json</c> (everything) and <c>latest.md</c> (the table people read).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(RunReport report, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(report, Json) + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.md"), Markdown(report), ct);
    }

    public static string Markdown(RunReport report)
    {
        var env = report.Environment;
        var md = new StringBuilder();
        md.AppendLine(report.Smoke ? "# Hangar benchmark (smoke run: sizes too small to mean anything)" : "# Hangar benchmark");
        md.AppendLine();
        md.AppendLine(Invariant(
            $"Run {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.DurationSeconds:0} s, {env.ProcessorCount} cores, load average {env.LoadAverage1m:0.0} at the end, {env.Runtime}, {env.Os}."));
        md.AppendLine($"SQLite: {env.SqliteDurability}. PostgreSQL: {env.PostgresDurability}.");
        md.AppendLine("The machine is shared and noisy: absolute figures are for information; rely on the ratios, "
            + "which compare variants measured interleaved in the same run (see bench/README.md).");
        md.AppendLine();
        md.AppendLine("| scenario | variant | n | p50 | p95 | p99 | throughput | ratio | note |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|---|---|");
        foreach (var r in report.Results)
        {
            var l = r.Latency;
            var op = r.PerOperation;
            md.AppendLine(string.Join(" | ",
                "| " + r.Scenario, r.Variant, r.N.ToString(CultureInfo.InvariantCulture),
                op is null ? Ms(l?.P50Ms) : Duration(op.MedianNs),
                op is null ? Ms(l?.P95Ms) : Duration(op.P95Ns),
                Ms(l?.P99Ms),
                r.Throughput is null ? "" : Invariant($"{r.Throughput.Value:#,0} {r.Throughput.Unit}"),
                string.Join("; ", (r.Ratios ?? []).Select(x => Invariant($"×{x.Value:0.00} {x.Metric} vs {x.Baseline}"))),
                string.Join("; ", new[] { PerOperationNote(op), r.Note }.Where(n => !string.IsNullOrEmpty(n))) + " |"));
        }
        return md.ToString();
    }

    private static string Ms(double? value) => value is null ? "" : Invariant($"{value:0.00} ms");

    /// <summary>A time in the unit that suits it: <c>41.2 ns</c>, <c>812 ns</c>, <c>3.47 µs</c>, <c>12.5 µs</c>, <c>1.20 ms</c>.</summary>
    public static string Duration(double ns) => ns switch
    {
        < 100 => Invariant($"{ns:0.0} ns"),
        < 1_000 => Invariant($"{ns:0} ns"),
        < 10_000 => Invariant($"{ns / 1_000:0.00} µs"),
        < 100_000 => Invariant($"{ns / 1_000:0.0} µs"),
        < 1_000_000 => Invariant($"{ns / 1_000:0} µs"),
        _ => Invariant($"{ns / 1_000_000:0.00} ms"),
    };

    private static string? PerOperationNote(OperationTime? op) => op is null
        ? null
        : $"mean {Duration(op.MeanNs)} ± {Duration(op.StdDevNs)}" + (op.AllocatedBytes is { } bytes ? $", {Bytes(bytes)} allocated/op" : "");

    private static string Bytes(double bytes) => bytes switch
    {
        < 1024 => Invariant($"{bytes:0} B"),
        < 1024 * 1024 => Invariant($"{bytes / 1024:0.0} KiB"),
        _ => Invariant($"{bytes / 1024 / 1024:0.00} MiB"),
    };

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
