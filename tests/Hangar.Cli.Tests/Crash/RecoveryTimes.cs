namespace Hangar.Cli.Tests.Crash;

/// <summary>
/// Every kill-to-recovery time measured in this test run, so each test can print the summary
/// over all kills so far (the last crash test to run prints the whole run's numbers).
/// </summary>
public static class RecoveryTimes
{
    private static readonly List<Recovery> All = [];

    public static void Add(Recovery recovery)
    {
        lock (All)
        {
            All.Add(recovery);
        }
    }

    /// <summary>p50 and max of takeover over all kills; of the first new event over kills where the new owner writes at once.</summary>
    public static string Summary()
    {
        List<Recovery> all;
        lock (All)
        {
            all = [.. All];
        }
        // After a kill mid tool call the new owner first re-runs the tool (seconds), then writes its result.
        var immediate = all.Where(r => !r.Label.Contains("tool call", StringComparison.Ordinal)).ToList();
        return $"crash recovery over {all.Count} kills: takeover p50 {P50(all.Select(r => r.Takeover))} max {Max(all.Select(r => r.Takeover))}; "
            + $"first new event ({immediate.Count} kills outside tool calls) p50 {P50(immediate.Select(r => r.FirstEvent))} max {Max(immediate.Select(r => r.FirstEvent))}";
    }

    private static string P50(IEnumerable<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count == 0 ? "-" : Seconds(sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2);
    }

    private static string Max(IEnumerable<TimeSpan> times) => times.Any() ? Seconds(times.Max()) : "-";

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.00} s";
}
