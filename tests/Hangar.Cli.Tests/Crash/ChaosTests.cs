using Hangar.Chaos;
using Hangar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hangar.Cli.Tests.Crash;

/// <summary>
/// The short chaos run (tests/Hangar.Chaos, <c>--short</c>): 2 API + 2 worker processes on
/// PostgreSQL, 10 sessions × 2 tool-using turns, 5 SSE clients resuming with Last-Event-ID, and a
/// random process disrupted every ~2 s. Nothing may be lost, doubled or misordered (see Verifier).
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_random_API_and_worker_processes_loses_nothing()
    {
        var report = await RunAsync(ChaosOptions.Short);
        Assert.True(report.Disruptions.Values.Sum() > 0, "the run ended before the first disruption");
    }

    [Fact]
    public async Task Partitioned_stalled_or_disconnected_workers_never_write_after_losing_their_lease()
    {
        var report = await RunAsync(ChaosOptions.Short with { Partition = true });
        Assert.True(report.Disruptions.Values.Sum() > 0, "the run ended before the first disruption");
    }

    private async Task<ChaosReport> RunAsync(ChaosOptions options)
    {
        var lines = new List<string>();
        var report = await ChaosRun.RunAsync(options with { Cluster = await PostgresCluster.SharedAsync() }, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        });
        lock (lines)
        {
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }
        }
        output.WriteLine(report.Format());
        Assert.True(report.Violations.Count == 0, $"{report.Violations.Count} violations:\n{string.Join("\n", report.Details.Take(5))}\n\n{report.Format()}");
        Assert.Equal(options.Sessions * options.Turns, report.Turns);
        // Kept when a check fails: the processes' output and the workspaces are the evidence.
        Directory.Delete(report.Artifacts, recursive: true);
        return report;
    }
}
