using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// The first turn of a fresh session with the sandbox provisioned lazily (the default: at the
/// first tool call) vs eagerly (<c>EagerSandbox</c>: before the first model call), both on SQLite
/// servers with the real bubblewrap provider and in-process workers. The model first replies
/// with text and a <c>bash echo hi</c> call, then with a final text. Timed from the start of
/// <c>POST /events</c> to <c>span.model_request_start</c> and to the first <c>agent.message</c>;
/// also to <c>session.status_idle</c> (the whole turn, sandbox start included either way).
/// </summary>
public sealed class LazyVsEagerScenario : IScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public string Name => "lazy-vs-eager";

    public int Order => 50;

    private sealed record Variant(string Label, WorkingServer Hangar, VariantSamples ToRequestStart, VariantSamples ToMessage, VariantSamples ToIdle);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var ttft = TimeSpan.FromMilliseconds(context.Size(50, 5));
        var rounds = context.Size(40, 2);
        var warmup = context.Size(3, 1);
        await using var model = await FakeMessagesServer.StartAsync(ct);
        model.Respond(request => (request.Messages.ToJsonString().Contains("\"tool_result\"", StringComparison.Ordinal)
            ? FakeReply.Text("It printed hi.")
            : FakeReply.ToolUse("bash", new { command = "echo hi" }).WithText("Let me run that.")).WithTimeToFirstToken(ttft));
        var variants = new List<Variant>();
        try
        {
            foreach (var eager in new[] { false, true })
            {
                var label = eager ? "eager" : "lazy";
                var hangar = await WorkingServer.StartAsync(context, Engine.Sqlite, model, s => s with { EagerSandbox = eager }, ct);
                variants.Add(new Variant(label, hangar, new VariantSamples($"{label}: POST → span.model_request_start"),
                    new VariantSamples($"{label}: POST → first agent.message"), new VariantSamples($"{label}: POST → session.status_idle")));
            }
            context.Progress($"lazy-vs-eager: model TTFT {ttft.TotalMilliseconds} ms, {warmup} warm-up + {rounds} first turns per variant, interleaved");
            var measured = false;
            List<Func<int, Task>> turns = [.. variants.Select(v => (Func<int, Task>)(_ => FirstTurnAsync(v, measured, ct)))];
            await Interleaving.RunAsync(warmup, turns, ct);
            measured = true;
            await Interleaving.RunAsync(rounds, turns, ct, m => context.Progress("lazy-vs-eager: " + m));
            var lazy = variants[0];
            return [.. variants.SelectMany(v => new[]
            {
                Row(v.ToRequestStart, v == lazy ? null : v.ToRequestStart.P50RatioTo(lazy.ToRequestStart, "lazy"), "sqlite, bubblewrap"),
                Row(v.ToMessage, v == lazy ? null : v.ToMessage.P50RatioTo(lazy.ToMessage, "lazy"), $"fake model TTFT {ttft.TotalMilliseconds} ms; agent.message written when the response completes"),
                Row(v.ToIdle, v == lazy ? null : v.ToIdle.P50RatioTo(lazy.ToIdle, "lazy"), "whole turn: 2 model calls + bash echo hi"),
            })];
        }
        finally
        {
            foreach (var v in variants)
            {
                await v.Hangar.DisposeAsync();
            }
        }
    }

    private Result Row(VariantSamples samples, Ratio? ratio, string note) =>
        new(Name, samples.Name, samples.Operations, samples.Latency(), Ratios: ratio is null ? [] : [ratio], Note: note);

    private static async Task FirstTurnAsync(Variant v, bool measured, CancellationToken ct)
    {
        var tools = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" });
        var sessionId = await SseLatencyScenario.NewSessionAsync(v.Hangar.Client, ct, tools);
        await using var stream = await EventStream.ConnectAsync(v.Hangar.Client, sessionId, ct);
        var started = await v.Hangar.SendMessageAsync(sessionId, "Run echo hi.", ct);
        var seen = await stream.ReadUntilAsync("session.status_idle", Timeout, ct);
        if (!seen.ContainsKey("agent.tool_result"))
        {
            throw new InvalidOperationException($"lazy-vs-eager ({v.Label}): the turn ended without a tool result: {string.Join(", ", seen.Keys)}");
        }
        if (measured)
        {
            v.ToRequestStart.AddLatency(Stopwatch.GetElapsedTime(started, seen["span.model_request_start"]).TotalMilliseconds);
            v.ToMessage.AddLatency(Stopwatch.GetElapsedTime(started, seen["agent.message"]).TotalMilliseconds);
            v.ToIdle.AddLatency(Stopwatch.GetElapsedTime(started, seen["session.status_idle"]).TotalMilliseconds);
        }
    }
}
