using System.Runtime.InteropServices;

namespace Hangar.Bench;

/// <summary>Everything one run produced, with the conditions it ran under (written as latest.json).</summary>
public sealed record RunReport(
    DateTimeOffset StartedAt,
    double DurationSeconds,
    bool Smoke,
    RunEnvironment Environment,
    IReadOnlyList<Result> Results);

/// <summary>The machine and settings that the figures depend on.</summary>
public sealed record RunEnvironment(
    int ProcessorCount,
    string Os,
    string Runtime,
    double LoadAverage1m,
    string SqliteDurability,
    string PostgresDurability)
{
    public static RunEnvironment Capture(BenchContext context) => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverage(),
        "WAL, synchronous=FULL (fsync per commit), temp dir on the local disk",
        context.PostgresDurable ? "fsync=on, synchronous_commit=on, full_page_writes=on" : "fsync=off (test settings)");

    /// <summary>The 1-minute load average when the run ended: how busy the shared machine was.</summary>
    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }
}
