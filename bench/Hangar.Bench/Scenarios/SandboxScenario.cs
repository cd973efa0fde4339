using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Harness.Tools;
using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// The bubblewrap sandbox on its own, through <see cref="ISandbox.ExecuteAsync"/> as the harness
/// calls it: cold start (acquire + the first <c>echo hi</c>), the <c>bash echo hi</c> round trip
/// in a running sandbox, and writing then reading back 1 MB through the <c>write</c> and
/// <c>read</c> file tools. Only a bubblewrap sandbox is measured, so there is no ratio.
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
        var cold = new VariantSamples("cold start: acquire + first echo hi");
        var echo = new VariantSamples("bash echo hi round trip (running sandbox)");
        var file = new VariantSamples("write + read 1 MB (file tools)");
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
            var content = new string('x', 1 << 20);
            for (var i = 0; i < files + 1; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunAsync(warm, Call("write", new JsonObject { ["file_path"] = "big.txt", ["content"] = content }), null, ct);
                var read = await warm.ExecuteAsync(Call("read", new JsonObject { ["file_path"] = "big.txt" }), ct);
                if (read.IsError)
                {
                    throw new InvalidOperationException("sandbox: reading the 1 MB file failed: " + read.Content.ToJsonString()[..200]);
                }
                if (i >= 1) // The first file call starts the tool runner.
                {
                    file.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
        return
        [
            new(Name, cold.Name, cold.Operations, cold.Latency(), Note: "bubblewrap; target p50 < 20 ms"),
            new(Name, echo.Name, echo.Operations, echo.Latency(), Note: "ISandbox.ExecuteAsync; target p50 < 5 ms"),
            new(Name, file.Name, file.Operations, file.Latency(), Note: "write tool then read tool, 1 MB of text"),
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
