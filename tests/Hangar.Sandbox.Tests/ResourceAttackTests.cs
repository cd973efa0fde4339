using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// cgroup limits actually enforced while the host stays responsive: a memory bomb is OOM-killed and a fork
/// bomb hits the process cap at the same time, while host probes (an HTTP request to a loopback server and a
/// trivial host command) keep answering; and sandboxes whose memory could not be capped refuse to start
/// unless the operator opts in.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ResourceAttackTests(SandboxFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ProbeBudget = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Memory_and_fork_bombs_are_contained_while_the_host_answers_probes()
    {
        var memory = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var forks = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        using var server = new ProbeServer();
        var memoryBomb = memory.RunAsync(Tools.Bash("x=$(head -c 600000000 /dev/zero | tr '\\0' a); echo survived", timeoutMs: 60_000));
        var forkBomb = forks.RunAsync(Tools.Bash("bomb() { bomb | bomb & }; bomb; sleep 20; echo survived", timeoutMs: 60_000));

        var http = new List<double>();
        var command = new List<double>();
        var attacks = Task.WhenAll(memoryBomb, forkBomb);
        while (!attacks.IsCompleted || http.Count < 10)
        {
            http.Add(await server.ProbeAsync());
            command.Add(await HostCommandAsync());
            await Task.Delay(50);
        }
        output.WriteLine($"{http.Count} probes; http p50 {Median(http):0.0} ms max {http.Max():0.0} ms; /bin/true p50 {Median(command):0.0} ms max {command.Max():0.0} ms");

        var (memoryText, memoryError) = await memoryBomb;
        Assert.True(memoryError, memoryText);
        Assert.Contains("out of memory", memoryText);
        var (forkText, forkError) = await forkBomb;
        Assert.True(forkError, forkText);
        Assert.Contains("too many processes", forkText);
        // The median, not the max: four test runs may share this machine's two cores.
        Assert.InRange(Median(http), 0, ProbeBudget.TotalMilliseconds);
        Assert.InRange(Median(command), 0, ProbeBudget.TotalMilliseconds);
    }

    [Fact]
    public async Task A_disk_fill_stops_at_the_quota_while_the_host_answers_probes_and_a_neighbour_writes()
    {
        const long quota = 256L << 20;
        var data = fixture.DataDirectory + "-diskfill";
        var options = fixture.Options with { DataDirectory = data, Limits = SandboxFixture.TestLimits with { DiskBytes = quota, MaxFileBytes = 1L << 30 } };
        await using (var provider = await BubblewrapSandboxProvider.CreateAsync(options, NullLogger.Instance, egress: null, CancellationToken.None))
        {
            var attacker = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
            var neighbour = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
            using var server = new ProbeServer();
            var fill = attacker.RunAsync(Tools.Bash("dd if=/dev/zero of=fill.bin bs=1M count=2000 2>&1", timeoutMs: 120_000));

            var http = new List<double>();
            var command = new List<double>();
            while (!fill.IsCompleted || http.Count < 10)
            {
                http.Add(await server.ProbeAsync());
                command.Add(await HostCommandAsync());
                await Task.Delay(50);
            }
            output.WriteLine($"{http.Count} probes during the disk fill; http p50 {Median(http):0.0} ms max {http.Max():0.0} ms; /bin/true p50 {Median(command):0.0} ms max {command.Max():0.0} ms");

            var (text, isError) = await fill;
            Assert.True(isError, text);
            Assert.Contains("No space left on device", text);
            Assert.Contains($"disk full: the workspace quota of", text);
            Assert.Equal(("ok", false), await neighbour.RunAsync(Tools.Bash("head -c 50000000 /dev/zero > n.bin && echo ok")));
            Assert.InRange(Median(http), 0, ProbeBudget.TotalMilliseconds);
            Assert.InRange(Median(command), 0, ProbeBudget.TotalMilliseconds);
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task A_sandbox_without_a_memory_limit_does_not_start_unless_the_operator_opts_in()
    {
        var unlimited = fixture.Options with { Limits = SandboxFixture.TestLimits with { MemoryBytes = 0 } };
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(
            () => BubblewrapSandboxProvider.CreateAsync(unlimited, NullLogger.Instance, egress: null, CancellationToken.None));
        Assert.Contains("--allow-unlimited-memory", error.Message);
    }

    [Fact]
    public void A_host_without_usable_cgroups_refuses_sandboxes_unless_the_operator_opts_in()
    {
        var noCgroups = new NoCgroupHost("no writable cgroup");
        var error = Assert.Throws<SandboxUnavailableException>(() => BubblewrapSandboxProvider.RefuseUncappedMemory(fixture.Options, noCgroups));
        Assert.Contains("no writable cgroup", error.Message);
        Assert.Contains("HANGAR_ALLOW_UNLIMITED_MEMORY", error.Message);
        BubblewrapSandboxProvider.RefuseUncappedMemory(fixture.Options with { AllowUnlimitedMemory = true }, noCgroups);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> HostCommandAsync()
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("/bin/true"))!;
        await process.WaitForExitAsync();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>A loopback HTTP server answering every request with 200, and a client timing one request.</summary>
    private sealed class ProbeServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
        private readonly CancellationTokenSource stop = new();

        public ProbeServer()
        {
            listener.Start();
            _ = ServeAsync();
        }

        public async Task<double> ProbeAsync()
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/probe");
            response.EnsureSuccessStatusCode();
            return clock.Elapsed.TotalMilliseconds;
        }

        private async Task ServeAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                var buffer = new byte[4096];
                await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), SocketFlags.None, stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            client.Dispose();
        }
    }
}
