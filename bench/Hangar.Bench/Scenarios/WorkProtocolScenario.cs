using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Hangar.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Self-hosted tools (issue 13): <c>bash echo hi</c> through the work protocol — a real <c>hangar runner</c>
/// process (poll, ack, heartbeat, the session's SSE stream, bubblewrap, POST <c>user.tool_result</c>) — next to
/// the same call in the server's in-process bubblewrap sandbox (a cloud environment), one SQLite server with
/// in-process harness workers for both, sessions interleaved. Each call is timed from the <c>agent.tool_use</c>
/// frame to the result frame (<c>user.tool_result</c> / <c>agent.tool_result</c>) at a client, and to the next
/// <c>span.model_request_start</c> (the harness took the result up again). The first call of each session
/// starts its sandbox and is left out. Then takeover: two runners with a 2 s lease, the holder killed (SIGKILL)
/// in the middle of a 2 s call (smoke: 1 s); the time to the other's claim and to the call's result.
/// </summary>
public sealed class WorkProtocolScenario : IScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public string Name => "work-protocol";

    public int Order => 65;

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rounds = context.Size(8, 1);
        var calls = context.Size(11, 2); // per session, the first one (sandbox start) not counted
        // Seconds. The runner heartbeats every clamp(ttl/2, 1 s, 30 s): 2 s is the shortest lease a heartbeat renews in time.
        const int leaseTtl = 2;
        var sleep = context.Size(2, 1); // how long the call runs in the takeover
        await using var model = await FakeMessagesServer.StartAsync(ct);
        model.Respond(request => LastCommand(request) switch
        {
            "kill-me" => FakeReply.Text("Done."),
            _ when ToolResults(request) >= calls => FakeReply.Text("Done."),
            _ when FirstText(request).Contains("takeover", StringComparison.Ordinal) =>
                FakeReply.ToolUse("bash", new { command = $"sleep {sleep}; echo kill-me" }),
            _ => FakeReply.ToolUse("bash", new { command = "echo hi" }),
        });
        await using var server = await Server.StartAsync(context, model, leaseTtl, ct);
        var cloud = await server.EnvironmentAsync("cloud", ct);
        var selfHosted = await server.EnvironmentAsync("self_hosted", ct);
        var key = await server.EnvironmentKeyAsync(selfHosted, ct);
        var runnerData = Path.Join("/tmp", "hangar-bench-runner-" + Guid.NewGuid().ToString("N")[..8]);
        var runners = new List<HangarProcess>();
        try
        {
            // The round-trip runner keeps the server's lease (90 s): a short one only matters for the takeover.
            runners.Add(await server.StartRunnerAsync(selfHosted, key, runnerData, shortLease: false));
            var samples = new Dictionary<string, (VariantSamples Result, VariantSamples Next)>
            {
                ["sandbox"] = (new VariantSamples("in-process sandbox: tool_use → agent.tool_result"),
                    new VariantSamples("in-process sandbox: tool_use → next model request")),
                ["runner"] = (new VariantSamples("work protocol (hangar runner): tool_use → user.tool_result"),
                    new VariantSamples("work protocol (hangar runner): tool_use → next model request")),
            };
            context.Progress($"work-protocol: 1 warm-up + {rounds} rounds × (sandbox, runner) sessions × {calls - 1} echo hi calls");
            for (var round = 0; round <= rounds; round++)
            {
                // Round 0 warms up (JIT, first sandboxes) and is not counted; the starting variant alternates.
                string[] order = round % 2 == 0 ? ["sandbox", "runner"] : ["runner", "sandbox"];
                foreach (var variant in order)
                {
                    var (environment, resultType) = variant == "sandbox" ? (cloud, "agent.tool_result") : (selfHosted, "user.tool_result");
                    await server.SessionAsync(environment, resultType, calls, round == 0 ? null : samples[variant], ct);
                }
            }
            var takeover = await TakeoverAsync(context, server, selfHosted, key, runnerData, runners, context.Size(5, 1), ct);
            var (sandboxResult, sandboxNext) = samples["sandbox"];
            var (runnerResult, runnerNext) = samples["runner"];
            var overhead = runnerResult.Latency().P50Ms - sandboxResult.Latency().P50Ms;
            return
            [
                Row(sandboxResult, null, "SSE arrival at a client; sqlite, bubblewrap, in-process worker"),
                Row(runnerResult, runnerResult.P50RatioTo(sandboxResult, "sandbox"),
                    $"protocol adds {overhead:0.0} ms p50 (goal < 5 ms); runner process on loopback, bubblewrap, SSE-driven"),
                Row(sandboxNext, null, "includes the harness taking the session up again"),
                Row(runnerNext, runnerNext.P50RatioTo(sandboxNext, "sandbox"),
                    $"adds {runnerNext.Latency().P50Ms - sandboxNext.Latency().P50Ms:0.0} ms p50: the result wakes the harness through the session's work flag"),
                .. takeover,
            ];
        }
        finally
        {
            foreach (var runner in runners)
            {
                await runner.DisposeAsync();
            }
            if (Directory.Exists(runnerData))
            {
                Directory.Delete(runnerData, recursive: true);
            }
        }

        Result Row(VariantSamples s, Ratio? ratio, string note) =>
            new(Name, s.Name, s.Operations, s.Latency(), Ratios: ratio is null ? null : [ratio], Note: note);
    }

    /// <summary>Kills the runner serving a call mid-tool; times the other runner's claim and the call's result from the kill.</summary>
    private async Task<IReadOnlyList<Result>> TakeoverAsync(
        BenchContext context, Server server, string environment, string key, string data, List<HangarProcess> runners, int kills, CancellationToken ct)
    {
        var ttl = server.LeaseTtl;
        var claim = new VariantSamples($"takeover after SIGKILL, lease ttl {ttl}s: kill → other runner's claim");
        var result = new VariantSamples($"takeover after SIGKILL, lease ttl {ttl}s: kill → user.tool_result");
        context.Progress($"work-protocol: {kills} takeovers (two runners, lease ttl {ttl}s)");
        for (var i = 0; i < kills; i++)
        {
            if (i == 0)
            {
                // The round-trip runner (long lease) leaves; from here on, two short-lease runners are alive at every kill.
                foreach (var runner in runners)
                {
                    runner.Signal(15); // SIGTERM: a graceful exit, its sandboxes torn down
                    await runner.WaitForExitAsync(TimeSpan.FromSeconds(20));
                    await runner.DisposeAsync();
                }
                runners.Clear();
            }
            while (runners.Count(r => !r.HasExited) < 2)
            {
                runners.Add(await server.StartRunnerAsync(environment, key, data, shortLease: true));
            }
            var session = await server.SessionIdAsync(environment, ct);
            await using var stream = await EventStream.ConnectAsync(server.Client, session, ct);
            await WorkingServer.SendMessageAsync(server.Client, session, "takeover", ct);
            await stream.NextAsync("agent.tool_use", Timeout, ct);
            var claimed = new Regex($"Claimed (work_\\S+) for session {session}");
            await WaitUntilAsync(() => runners.Any(r => !r.HasExited && claimed.IsMatch(r.Stdout)), ct);
            var holder = runners.First(r => !r.HasExited && claimed.IsMatch(r.Stdout));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 500)), ct); // mid-tool, at a random point of the lease
            var killed = Stopwatch.GetTimestamp();
            await holder.KillHardAsync();
            var other = runners.Single(r => r != holder && !r.HasExited);
            var claimTask = WaitUntilAsync(() => claimed.IsMatch(other.Stdout), ct);
            var answer = await stream.NextAsync("user.tool_result", Timeout, ct);
            var claimedAt = await claimTask;
            claim.AddLatency(Stopwatch.GetElapsedTime(killed, claimedAt).TotalMilliseconds);
            result.AddLatency(Stopwatch.GetElapsedTime(killed, answer.Ticks).TotalMilliseconds);
            await stream.NextAsync("session.status_idle", Timeout, ct);
            runners.Remove(holder);
            await holder.DisposeAsync();
        }
        return
        [
            new(Name, claim.Name, claim.Operations, claim.Latency(),
                Note: $"the lease lapses ≤ {ttl} s after the last heartbeat (every {Math.Max(1, ttl / 2.0):0.#} s), then the next poll claims; runner stdout read every 10 ms"),
            new(Name, result.Name, result.Operations, result.Latency(), Note: "the call (sleep 2; smoke: 1) runs again from the start on the new runner"),
        ];
    }

    /// <summary>Polls every 10 ms; returns the Stopwatch ticks at which <paramref name="condition"/> was seen true.</summary>
    private static async Task<long> WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > Timeout)
            {
                throw new TimeoutException("work-protocol: a runner did not claim the session in time.");
            }
            await Task.Delay(10, ct);
        }
        return Stopwatch.GetTimestamp();
    }

    private static int ToolResults(RecordedRequest request) =>
        request.Messages.Count(m => m?["content"] is JsonArray blocks && blocks.Any(b => (string?)b?["type"] == "tool_result"));

    private static string FirstText(RecordedRequest request) => request.Messages.FirstOrDefault()?.ToJsonString() ?? "";

    private static string LastCommand(RecordedRequest request) =>
        request.Messages.LastOrDefault()?.ToJsonString().Contains("kill-me", StringComparison.Ordinal) == true ? "kill-me" : "";

    /// <summary>The server under test: API, harness workers (model: the fake), SQLite, bubblewrap; its store for environment keys.</summary>
    private sealed class Server(WebApplication app, string apiKey, string workspaces, int leaseTtl) : IAsyncDisposable
    {
        private string? _agent;

        public HttpClient Client { get; } = NewClient(app, apiKey);

        public static async Task<Server> StartAsync(BenchContext context, FakeMessagesServer model, int leaseTtl, CancellationToken ct)
        {
            var key = "bench-" + Guid.NewGuid().ToString("N");
            var workspaces = Path.Join("/tmp", "hangar-bench-sbx-" + Guid.NewGuid().ToString("N")[..8]);
            var app = await HangarServer.BuildAsync(new HangarServerOptions
            {
                Port = 0,
                Store = await context.NewStoreOptionsAsync(Engine.Sqlite, ct),
                BootstrapApiKey = key,
                RunWorkers = true,
                Limits = Hangar.Server.Http.RequestLimits.Unlimited, // A bench measures the server, not its tenant limits.
                Workers = new WorkerSettings
                {
                    Models = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(model.ApiKey, model.BaseUrl.ToString()))),
                    WorkspacesDirectory = workspaces,
                },
            }, ct);
            await app.StartAsync(ct);
            return new Server(app, key, workspaces, leaseTtl);
        }

        public Uri Url => ServerAddresses.Of(app);

        public int LeaseTtl => leaseTtl;

        public async Task<string> EnvironmentAsync(string type, CancellationToken ct)
        {
            _agent ??= await SseLatencyScenario.CreateAsync(Client, "/v1/agents", new JsonObject
            {
                ["name"] = "bench-work-" + Guid.NewGuid().ToString("N")[..8],
                ["model"] = "claude-sonnet-4-5",
                ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
            }, ct);
            JsonObject config = type == "cloud"
                ? new() { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "unrestricted" } }
                : new() { ["type"] = "self_hosted" };
            return await SseLatencyScenario.CreateAsync(Client, "/v1/environments", new JsonObject
            {
                ["name"] = $"bench-{type}-" + Guid.NewGuid().ToString("N")[..8],
                ["config"] = config,
            }, ct);
        }

        /// <summary>What <c>hangar env-keys create</c> does, against this server's store.</summary>
        public async Task<string> EnvironmentKeyAsync(string environment, CancellationToken ct)
        {
            var store = app.Services.GetRequiredService<IHangarStore>();
            var workspace = (await store.Resources.FindAsync(ResourceKind.Environment, environment, ct))!.WorkspaceId;
            var (key, _) = await WorkCredentials.CreateEnvironmentKeyAsync(store.EnvironmentKeys, workspace, environment, DateTimeOffset.UtcNow, ct);
            return key;
        }

        public async Task<HangarProcess> StartRunnerAsync(string environment, string key, string data, bool shortLease)
        {
            var runner = HangarProcess.Start(
                ["runner", "--environment", environment, "--key", key, "--api-url", Url.ToString(),
                 .. shortLease ? new[] { "--lease-ttl", $"{leaseTtl}" } : [], "--max-idle", "1s", "--concurrency", "8", "--data", data]);
            await runner.WaitForOutputAsync(@"Hangar runner \S+ serving", TimeSpan.FromSeconds(60));
            return runner;
        }

        public Task<string> SessionIdAsync(string environment, CancellationToken ct) =>
            SseLatencyScenario.CreateAsync(Client, "/v1/sessions", new JsonObject { ["agent"] = _agent, ["environment_id"] = environment }, ct);

        /// <summary>One session, <paramref name="calls"/> echo hi calls; samples all but the first.</summary>
        public async Task SessionAsync(string environment, string resultType, int calls, (VariantSamples Result, VariantSamples Next)? samples, CancellationToken ct)
        {
            var session = await SessionIdAsync(environment, ct);
            await using var stream = await EventStream.ConnectAsync(Client, session, ct);
            await WorkingServer.SendMessageAsync(Client, session, "Run echo hi, again and again.", ct);
            for (var i = 0; i < calls; i++)
            {
                var use = await stream.NextAsync("agent.tool_use", Timeout, ct);
                var result = await stream.NextAsync(resultType, Timeout, ct);
                var next = await stream.NextAsync("span.model_request_start", Timeout, ct);
                var text = string.Concat((result.Data["content"] as JsonArray ?? []).Select(b => (string?)b?["text"])).Trim();
                if ((string?)result.Data["tool_use_id"] != (string?)use.Data["id"] || text != "hi")
                {
                    throw new InvalidOperationException($"work-protocol: unexpected result {result.Data.ToJsonString()} for {use.Data.ToJsonString()}");
                }
                if (samples is { } s && i > 0)
                {
                    s.Result.AddLatency(Stopwatch.GetElapsedTime(use.Ticks, result.Ticks).TotalMilliseconds);
                    s.Next.AddLatency(Stopwatch.GetElapsedTime(use.Ticks, next.Ticks).TotalMilliseconds);
                }
            }
            await stream.NextAsync("session.status_idle", Timeout, ct);
        }

        private static HttpClient NewClient(WebApplication app, string key)
        {
            var client = new HttpClient { BaseAddress = ServerAddresses.Of(app), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (Directory.Exists(workspaces))
            {
                Directory.Delete(workspaces, recursive: true);
            }
        }
    }
}
