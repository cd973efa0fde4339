using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// The bubblewrap sandbox on its own, through <see cref="ISandbox.ExecuteAsync"/> as the harness
/// calls it: cold start (acquire + the first <c>echo hi</c>) of an environment without packages,
/// interleaved with the same for an environment whose package layer is already built (warm: npm
/// <c>left-pad</c>, built once beforehand), the <c>bash echo hi</c> round trip in a running
/// sandbox, and writing 1 MB with the <c>write</c> tool and reading 1 MB back with the <c>read</c>
/// tool (as four 256 KiB files: its per-file cap). Then the same <c>echo hi</c> through the whole
/// tool path of a running session (<see cref="ToolPathRoundTrip"/>).
/// </summary>
public sealed class SandboxScenario : IScenario
{
    private const string Package = "left-pad@1.3.0";

    private static int calls;

    public string Name => "sandbox";

    public int Order => 60;

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var colds = context.Size(40, 2);
        var echoes = context.Size(300, 5);
        var files = context.Size(30, 2);
        // Under /tmp: sandboxes run as per-session uids that must traverse the path.
        var data = Path.Join("/tmp", "hangar-bench-sbx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        var acquire = new VariantSamples("acquire alone (bwrap starts in the background)");
        var cold = new VariantSamples("cold start: acquire + first echo hi");
        var warmStart = new VariantSamples("warm-environment start: acquire + first echo hi (package layer cached)");
        var warmAcquire = new VariantSamples("warm-environment acquire alone");
        string warmNote;
        var echo = new VariantSamples("bash echo hi round trip (running sandbox)");
        var write = new VariantSamples("write 1 MB (write tool)");
        var read = new VariantSamples("read 1 MB (read tool, 4 × 256 KiB files)");
        try
        {
            await using var provider = await BubblewrapSandboxProvider.CreateAsync(
                new SandboxOptions { DataDirectory = data }, NullLogger.Instance, egress: null, ct);
            var (packages, built) = await BuildLayerAsync(context, provider, ct);
            context.Progress($"sandbox: {colds} cold and warm-environment starts interleaved, {echoes} echo round trips, {files} 1 MB write+read");
            List<Func<int, Task>> starts = [_ => StartAsync(provider, EmptyEnvironment(), cold, acquire, ct)];
            if (packages is not null)
            {
                starts.Add(_ => StartAsync(provider, packages, warmStart, warmAcquire, ct));
            }
            await Interleaving.RunAsync(colds, starts, ct);
            warmNote = packages is null
                ? $"not measured: {built}"
                : $"npm {Package}, its layer built once beforehand in {built}; acquire alone p50 {warmAcquire.Latency().P50Ms:0.00} ms";
            var running = await provider.AcquireAsync(Request("sesn_" + Guid.NewGuid().ToString("N")[..16]), ct);
            for (var i = 0; i < echoes + 5; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunAsync(running, Call("bash", new JsonObject { ["command"] = "echo hi" }), "hi", ct);
                if (i >= 5)
                {
                    echo.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            // The read tool refuses files over 256 KiB, so 1 MB is read back as four 256 KiB files.
            var quarter = new string('x', 256 << 10);
            for (var i = 0; i < files + 1; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunAsync(running, Call("write", new JsonObject { ["file_path"] = "big.txt", ["content"] = quarter + quarter + quarter + quarter }), null, ct);
                var wrote = Stopwatch.GetTimestamp();
                for (var q = 0; q < 4; q++)
                {
                    await RunAsync(running, Call("write", new JsonObject { ["file_path"] = $"part{q}.txt", ["content"] = quarter }), null, ct);
                }
                var readStarted = Stopwatch.GetTimestamp();
                for (var q = 0; q < 4; q++)
                {
                    await RunAsync(running, Call("read", new JsonObject { ["file_path"] = $"part{q}.txt" }), null, ct);
                }
                if (i >= 1) // The first file call starts the tool runner.
                {
                    write.AddLatency(Stopwatch.GetElapsedTime(started, wrote).TotalMilliseconds);
                    read.AddLatency(Stopwatch.GetElapsedTime(readStarted).TotalMilliseconds);
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
        return
        [
            new(Name, acquire.Name, acquire.Operations, acquire.Latency(), Note: "what EagerSandbox adds before the first model call"),
            new(Name, cold.Name, cold.Operations, cold.Latency(), Note: "bubblewrap, environment without packages; target p50 < 20 ms"),
            new(Name, warmStart.Name, warmStart.Operations, warmStart.Latency(),
                Ratios: warmStart.Operations == 0 ? [] : [warmStart.P50RatioTo(cold, "cold start")], Note: warmNote),
            new(Name, echo.Name, echo.Operations, echo.Latency(), Note: "ISandbox.ExecuteAsync; target p50 < 5 ms"),
            new(Name, write.Name, write.Operations, write.Latency(), Note: "one 1 MB file"),
            new(Name, read.Name, read.Operations, read.Latency(), Note: "the read tool refuses files over 256 KiB"),
            .. await ToolPathRoundTrip.MeasureAsync(context, Name, ct),
        ];
    }

    /// <summary>Acquire + the first <c>echo hi</c> in a fresh session's sandbox of <paramref name="environment"/>; released after.</summary>
    private static async Task StartAsync(BubblewrapSandboxProvider provider, JsonObject environment, VariantSamples start, VariantSamples? acquire, CancellationToken ct)
    {
        var sessionId = "sesn_" + Guid.NewGuid().ToString("N")[..16];
        var started = Stopwatch.GetTimestamp();
        var sandbox = await provider.AcquireAsync(new SandboxRequest("wrk_bench", sessionId, environment), ct);
        acquire?.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await RunAsync(sandbox, Call("bash", new JsonObject { ["command"] = "echo hi" }), "hi", ct);
        start.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await provider.ReleaseAsync(sessionId, ct);
    }

    /// <summary>
    /// Builds the package layer of a small npm environment (the registry is reached through the
    /// provider's build proxy, as for the sandbox tests) and checks a sandbox can require the package.
    /// Returns the environment and the build time, or null and why when it cannot be built here.
    /// </summary>
    private static async Task<(JsonObject? Environment, string Built)> BuildLayerAsync(BenchContext context, BubblewrapSandboxProvider provider, CancellationToken ct)
    {
        var environment = EmptyEnvironment();
        var lists = new JsonObject { ["type"] = "packages" };
        foreach (var manager in new[] { "apt", "cargo", "gem", "go", "npm", "pip" })
        {
            lists[manager] = manager == "npm" ? new JsonArray(Package) : new JsonArray();
        }
        environment["packages"] = lists;
        context.Progress($"sandbox: building the package layer of an environment with npm {Package}");
        var sessionId = "sesn_" + Guid.NewGuid().ToString("N")[..16];
        var started = Stopwatch.GetTimestamp();
        try
        {
            var sandbox = await provider.AcquireAsync(new SandboxRequest("wrk_bench", sessionId, environment), ct);
            await RunAsync(sandbox, Call("bash", new JsonObject { ["command"] = "node -e \"require('left-pad')\" && echo ok" }), "ok", ct);
        }
        catch (SandboxProvisioningException e)
        {
            // No registry here (an offline machine): the rest of the scenario still runs.
            context.Progress($"sandbox: no package layer: {e.Message}");
            return (null, $"the layer could not be built ({e.Message})");
        }
        finally
        {
            await provider.ReleaseAsync(sessionId, ct);
        }
        return (environment, $"{Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    /// <summary>No packages; limited networking with no hosts (the warm environment differs only by its packages).</summary>
    private static JsonObject EmptyEnvironment() =>
        new() { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray() } };

    private static SandboxRequest Request(string sessionId) => new("wrk_bench", sessionId, EmptyEnvironment());

    private static ToolCall Call(string name, JsonObject input) => new(name, input, $"sevt_bench{Interlocked.Increment(ref calls)}");

    private static async Task RunAsync(ISandbox sandbox, ToolCall call, string? expected, CancellationToken ct)
    {
        var result = await sandbox.ExecuteAsync(call, ct);
        var text = string.Concat(result.Content.Select(b => b?["text"]?.GetValue<string>())).Trim();
        if (result.IsError || (expected is not null && text != expected))
        {
            throw new InvalidOperationException($"sandbox: {call.Name} failed: {text}");
        }
    }
}
