using System.Diagnostics;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// Sandboxes busy with long commands must not starve the thread pool (issue 14): .NET reads a child's
/// anonymous pipe on Unix with a blocking read() on a pool thread for every pending read, and a sandbox's
/// pipes stay pending for as long as it runs. Timers — a worker's lease renewal among them — run on the
/// pool, so they must stay on time while many sandboxes run commands. (On .NET 10 the pipe reads already
/// wait in epoll, not on pool threads: this test keeps it that way — a blocking reader would need a pool
/// thread per sandbox and the timers would wait seconds for the pool to grow.)
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PoolStarvationTests(SandboxFixture fixture)
{
    /// <summary>48 in CI; HANGAR_STARVATION_SANDBOXES=500 for the figure (about a minute to start them).</summary>
    private static readonly int Sandboxes = int.TryParse(Environment.GetEnvironmentVariable("HANGAR_STARVATION_SANDBOXES"), out var n) ? n : 48;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Timers_stay_on_time_while_many_sandboxes_run_long_commands()
    {
        var sessions = Enumerable.Range(0, Sandboxes).Select(_ => SandboxFixture.NewSessionId()).ToList();
        using var stop = new CancellationTokenSource();
        var commands = new List<Task>();
        try
        {
            foreach (var session in sessions)
            {
                var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(session), CancellationToken.None);
                Assert.False((await sandbox.RunAsync(Tools.Bash("true"))).IsError); // its shell is up
                commands.Add(RunUntilStoppedAsync(sandbox, stop.Token));
            }

            var lateness = new List<double>();
            for (var i = 0; i < 40; i++)
            {
                var watch = Stopwatch.StartNew();
                await Task.Delay(Tick);
                lateness.Add((watch.Elapsed - Tick).TotalMilliseconds);
            }

            lateness.Sort();
            var p50 = lateness[lateness.Count / 2];
            var max = lateness[^1];
            Assert.True(max < 1_000,
                $"a 50 ms timer fired up to {max:F0} ms late (p50 {p50:F0} ms) while {Sandboxes} sandboxes ran commands; pool threads: {ThreadPool.ThreadCount}");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(commands);
            foreach (var session in sessions)
            {
                await fixture.Provider.ReleaseAsync(session, CancellationToken.None);
            }
        }
    }

    private static async Task RunUntilStoppedAsync(ISandbox sandbox, CancellationToken stop)
    {
        try
        {
            await sandbox.ExecuteAsync(Tools.Bash("sleep 300"), stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
