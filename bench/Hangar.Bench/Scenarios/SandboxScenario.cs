using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Harness.Tools;
using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// The bubblewrap sandbox on its own, through <see cref="ISandbox.ExecuteAsync"/> as the harness
/// calls it: cold start (acquire + the first <c>echo hi</c>), the <c>bash echo hi</c> round trip
/// in a running sandbox, and writing 1 MB with the <c>write</c> tool and reading 1 MB back with
/// the <c>read</c> tool (as four 256 KiB files: its per-file cap). Only a bubblewrap sandbox is measured, so there is no ratio.
/// </summary>
public sealed class SandboxScenario : IScenario
{
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
        var echo = new VariantSamples("bash echo hi round trip (running sandbox)");
        var write = new VariantSamples("write 1 MB (write tool)");
        var read = new VariantSamples("read 1 MB (read tool, 4 × 256 KiB files)");
        try
        {
            await using var provider = await BubblewrapSandboxProvider.CreateAsync(
                new SandboxOptions { DataDirectory = data }, NullLogger.Instance, egress: null, ct);
            context.Progress($"sandbox: {colds} cold starts, {echoes} echo round trips, {files} 1 MB write+read");
            for (var i = 0; i < colds; i++)
            {
                var sessionId = "sesn_" + Guid.NewGuid().ToString("N")[..16];
                var started = Stopwatch.GetTimestamp();
                var sandbox = await provider.AcquireAsync(Request(sessionId), ct);
                acquire.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await RunAsync(sandbox, Call("bash", new JsonObject { ["command"] = "echo hi" }), "hi", ct);
                cold.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await provider.ReleaseAsync(sessionId, ct);
            }
            var warm = await provider.AcquireAsync(Request("sesn_" + Guid.NewGuid().ToString("N")[..16]), ct);
            for (var i = 0; i < echoes + 5; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunAsync(warm, Call("bash", new JsonObject { ["command"] = "echo hi" }), "hi", ct);
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
                await RunAsync(warm, Call("write", new JsonObject { ["file_path"] = "big.txt", ["content"] = quarter + quarter + quarter + quarter }), null, ct);
                var wrote = Stopwatch.GetTimestamp();
                for (var q = 0; q < 4; q++)
                {
                    await RunAsync(warm, Call("write", new JsonObject { ["file_path"] = $"part{q}.txt", ["content"] = quarter }), null, ct);
                }
                var readStarted = Stopwatch.GetTimestamp();
                for (var q = 0; q < 4; q++)
                {
                    await RunAsync(warm, Call("read", new JsonObject { ["file_path"] = $"part{q}.txt" }), null, ct);
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
            new(Name, cold.Name, cold.Operations, cold.Latency(), Note: "bubblewrap; target p50 < 20 ms"),
            new(Name, echo.Name, echo.Operations, echo.Latency(), Note: "ISandbox.ExecuteAsync; target p50 < 5 ms"),
            new(Name, write.Name, write.Operations, write.Latency(), Note: "one 1 MB file"),
            new(Name, read.Name, read.Operations, read.Latency(), Note: "the read tool refuses files over 256 KiB"),
        ];
    }

    private static SandboxRequest Request(string sessionId) =>
        new("wrk_bench", sessionId, new JsonObject { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray() } });

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
