using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>Cold start and round-trip latency, printed for docs/sandbox.md; bounds are loose sanity checks.</summary>
[Collection(SandboxCollection.Name)]
public sealed class LatencyTests(SandboxFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Cold_start_and_round_trips()
    {
        var cold = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var sessionId = SandboxFixture.NewSessionId();
            var watch = Stopwatch.StartNew();
            var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
            var (text, _) = await sandbox.RunAsync(Tools.Bash("echo hi"));
            cold.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal("hi", text);
            await fixture.Provider.ReleaseAsync(sessionId, CancellationToken.None);
        }
        var warm = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var echo = await Measure(100, () => warm.RunAsync(Tools.Bash("echo hi")));
        var firstFile = Stopwatch.StartNew();
        await warm.RunAsync(Tools.Call("write", new JsonObject { ["file_path"] = "a.txt", ["content"] = "x" }));
        var runnerStart = firstFile.Elapsed.TotalMilliseconds;
        var read = await Measure(100, () => warm.RunAsync(Tools.Call("read", new JsonObject { ["file_path"] = "a.txt" })));

        output.WriteLine($"cold start (acquire + first echo hi), n=30: p50 {P(cold, 50):F1} ms, p95 {P(cold, 95):F1} ms");
        output.WriteLine($"bash echo hi round trip, n=100: p50 {P(echo, 50):F2} ms, p95 {P(echo, 95):F2} ms");
        output.WriteLine($"first file tool (starts the runner): {runnerStart:F1} ms");
        output.WriteLine($"read round trip, n=100: p50 {P(read, 50):F2} ms, p95 {P(read, 95):F2} ms");
        Assert.InRange(P(cold, 50), 1, 2000);
        Assert.InRange(P(echo, 50), 0.01, 200);
    }

    private static async Task<List<double>> Measure(int count, Func<Task<(string, bool)>> action)
    {
        var samples = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            var (_, isError) = await action();
            samples.Add(watch.Elapsed.TotalMilliseconds);
            Assert.False(isError);
        }
        return samples;
    }

    private static double P(List<double> samples, int percentile)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }
}
