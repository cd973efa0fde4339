using System.Diagnostics;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;
using Hangar.FakeModel;
using Hangar.Server.Harness;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// What the harness adds to time-to-first-token. The fake Messages server answers every request
/// with a short text after a fixed time-to-first-token. Per round, in turns: a direct SDK client
/// streams one message from the fake (to its first content block = TTFT, and to the end =
/// complete); and on SQLite and PostgreSQL servers with in-process workers, one
/// <c>user.message</c> is posted and the SSE stream is timed to <c>span.model_request_start</c>
/// (harness work before the model is called) and to the first <c>agent.message</c>. The harness
/// emits <c>agent.message</c> only once the model's response is complete, so its overhead is
/// taken against the direct client's complete time of the same round (paired differences).
/// </summary>
public sealed class TtftOverheadScenario : IScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyDictionary<string, JsonElement> None = new Dictionary<string, JsonElement>();

    public string Name => "ttft-overhead";

    public int Order => 40;

    private sealed record Server(Engine Engine, WorkingServer Hangar, string SessionId, EventStream Stream,
        VariantSamples ToRequestStart, VariantSamples ToMessage, List<double> Overhead, TurnBreakdown Breakdown);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var ttft = TimeSpan.FromMilliseconds(context.Size(50, 5));
        var rounds = context.Size(200, 3);
        var warmup = context.Size(10, 1);
        await using var model = await FakeMessagesServer.StartAsync(ct);
        model.Respond(_ => FakeReply.Text("Hello from the fake model.").WithTimeToFirstToken(ttft));
        var direct = new AnthropicClient(new ClientOptions { ApiKey = model.ApiKey, BaseUrl = model.BaseUrl.ToString(), MaxRetries = 0 });
        var directTtft = new VariantSamples("direct SDK → fake: first content block");
        var directComplete = new VariantSamples("direct SDK → fake: message complete");
        var servers = new List<Server>();
        using var spans = new HarnessSpans();
        try
        {
            foreach (var engine in Enum.GetValues<Engine>())
            {
                // No tool is called here, so the local workspace sandbox saves setting up bubblewrap.
                var hangar = await WorkingServer.StartAsync(context, engine, model, s => s with { Sandbox = SandboxKind.Local }, ct);
                var sessionId = await SseLatencyScenario.NewSessionAsync(hangar.Client, ct);
                var label = LogAppendScenario.Label(engine);
                servers.Add(new Server(engine, hangar, sessionId, await EventStream.ConnectAsync(hangar.Client, sessionId, ct),
                    new VariantSamples($"{label}: POST → span.model_request_start"), new VariantSamples($"{label}: POST → agent.message"), [], new TurnBreakdown(label)));
            }
            var lastComplete = 0.0;
            var measured = false;
            List<Func<int, Task>> variants =
            [
                async _ =>
                {
                    var (first, complete) = await DirectAsync(direct, ct);
                    lastComplete = complete;
                    if (measured)
                    {
                        directTtft.AddLatency(first);
                        directComplete.AddLatency(complete);
                    }
                },
                .. servers.Select(s => (Func<int, Task>)(i => TurnAsync(s, spans, i, measured, () => lastComplete, ct))),
            ];
            context.Progress($"ttft-overhead: model TTFT {ttft.TotalMilliseconds} ms, {warmup} warm-up + {rounds} rounds, interleaved");
            await Interleaving.RunAsync(warmup, variants, ct);
            measured = true;
            await Interleaving.RunAsync(rounds, variants, ct, m => context.Progress("ttft-overhead: " + m));
            var results = new List<Result>
            {
                new(Name, directTtft.Name, directTtft.Operations, directTtft.Latency(), Note: $"fake model TTFT set to {ttft.TotalMilliseconds} ms"),
                new(Name, directComplete.Name, directComplete.Operations, directComplete.Latency()),
            };
            foreach (var s in servers)
            {
                results.Add(new(Name, s.ToRequestStart.Name, s.ToRequestStart.Operations, s.ToRequestStart.Latency(),
                    Note: "harness work before the model call (direct equivalent: 0)"));
                results.Add(new(Name, s.ToMessage.Name, s.ToMessage.Operations, s.ToMessage.Latency(),
                    Ratios: [s.ToMessage.P50RatioTo(directComplete, "direct complete")],
                    Note: "agent.message is written once the response completes"));
                results.Add(new(Name, $"{LogAppendScenario.Label(s.Engine)}: overhead (agent.message − direct complete)", s.Overhead.Count,
                    Latency.Of(s.Overhead), Note: "paired per round; target p50 < 5 ms, p95 < 20 ms"));
            }
            results.AddRange(servers.SelectMany(s => s.Breakdown.Rows(Name)));
            return results;
        }
        finally
        {
            foreach (var s in servers)
            {
                await s.Stream.DisposeAsync();
                await s.Hangar.DisposeAsync();
            }
        }
    }

    /// <summary>One streamed message from the fake: (ms to the first content block, ms to the end).</summary>
    private static async Task<(double First, double Complete)> DirectAsync(AnthropicClient client, CancellationToken ct)
    {
        var body = new Dictionary<string, JsonElement>
        {
            ["model"] = JsonSerializer.SerializeToElement("claude-sonnet-4-5"),
            ["max_tokens"] = JsonSerializer.SerializeToElement(1024),
            ["messages"] = JsonSerializer.SerializeToElement(new[] { new { role = "user", content = "hi" } }),
        };
        var started = Stopwatch.GetTimestamp();
        double? first = null;
        await foreach (var e in client.Messages.CreateStreaming(MessageCreateParams.FromRawUnchecked(None, None, body), ct).WithCancellation(ct))
        {
            if (first is null && e.Json.TryGetProperty("type", out var type) && type.GetString() == "content_block_start")
            {
                first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        var complete = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (first ?? complete, complete);
    }

    private static async Task TurnAsync(Server s, HarnessSpans spans, int index, bool measured, Func<double> directComplete, CancellationToken ct)
    {
        var started = await s.Hangar.SendMessageAsync(s.SessionId, $"bench turn {index}", ct);
        var seen = await s.Stream.ReadUntilAsync("session.status_idle", Timeout, ct);
        var turnSpans = spans.Take(s.SessionId);
        if (!measured)
        {
            return;
        }
        s.Breakdown.Add(started, turnSpans, seen["agent.message"]);
        var toMessage = Stopwatch.GetElapsedTime(started, seen["agent.message"]).TotalMilliseconds;
        s.ToRequestStart.AddLatency(Stopwatch.GetElapsedTime(started, seen["span.model_request_start"]).TotalMilliseconds);
        s.ToMessage.AddLatency(toMessage);
        s.Overhead.Add(toMessage - directComplete());
    }
}
