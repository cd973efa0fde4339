using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.FakeModel;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// <c>bash echo hi</c> through the whole tool path of a running session, not the sandbox alone:
/// a SQLite server with in-process workers and the real bubblewrap sandbox, the fake model asking
/// for <c>echo hi</c> again after every result until a session has made its calls. Each call is
/// timed from <c>agent.tool_use</c> to its <c>agent.tool_result</c> twice: by the arrival of the
/// two SSE frames at a client (so including the result's commit and delivery), and by the
/// events' own <c>processed_at</c> (ms; stamped by the worker as it builds each event, so from
/// before the tool_use is committed to before the result is). What lies between: committing the
/// tool_use, the worker reading the log and deciding to run the tool, the sandbox call. The first
/// call of each session also starts its sandbox (lazily) and is left out.
/// </summary>
public static class ToolPathRoundTrip
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<Result>> MeasureAsync(BenchContext context, string scenario, CancellationToken ct)
    {
        var sessions = context.Size(10, 1);
        var calls = context.Size(21, 3); // per session, the first one (sandbox start) not counted
        await using var model = await FakeMessagesServer.StartAsync(ct);
        model.Respond(request => Results(request) < calls ? FakeReply.ToolUse("bash", new { command = "echo hi" }) : FakeReply.Text("Done."));
        await using var hangar = await WorkingServer.StartAsync(context, Engine.Sqlite, model, s => s, ct);
        var arrival = new VariantSamples("bash echo hi round trip, full tool path: tool_use → tool_result SSE frames");
        var stamped = new VariantSamples("bash echo hi round trip, full tool path: by the events' processed_at");
        context.Progress($"sandbox: full tool path, 1 warm-up + {sessions} sessions × {calls - 1} echo hi calls");
        for (var s = 0; s <= sessions; s++)
        {
            // Session 0 warms the server up (JIT, first sandbox) and is not counted.
            await SessionAsync(hangar, calls, s == 0 ? null : (arrival, stamped), ct);
        }
        return
        [
            new(scenario, arrival.Name, arrival.Operations, arrival.Latency(), Note: "SSE arrival at a client; sqlite, bubblewrap, in-process worker; target p50 < 5 ms"),
            new(scenario, stamped.Name, stamped.Operations, stamped.Latency(), Note: "processed_at is in whole ms: each sample ± 1 ms"),
        ];
    }

    private static async Task SessionAsync(WorkingServer hangar, int calls, (VariantSamples Arrival, VariantSamples Stamped)? samples, CancellationToken ct)
    {
        var tools = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" });
        var sessionId = await SseLatencyScenario.NewSessionAsync(hangar.Client, ct, tools);
        await using var stream = await EventStream.ConnectAsync(hangar.Client, sessionId, ct);
        await hangar.SendMessageAsync(sessionId, "Run echo hi, again and again.", ct);
        for (var i = 0; i < calls; i++)
        {
            var use = await stream.NextAsync("agent.tool_use", Timeout, ct);
            var result = await stream.NextAsync("agent.tool_result", Timeout, ct);
            var text = string.Concat((result.Data["content"] as JsonArray ?? []).Select(b => b?["text"]?.GetValue<string>())).Trim();
            if (result.Data["tool_use_id"]?.GetValue<string>() != use.Data["id"]?.GetValue<string>() || text != "hi")
            {
                throw new InvalidOperationException($"sandbox: full tool path: unexpected result {result.Data.ToJsonString()} for {use.Data.ToJsonString()}");
            }
            if (samples is { } s && i > 0)
            {
                s.Arrival.AddLatency(Stopwatch.GetElapsedTime(use.Ticks, result.Ticks).TotalMilliseconds);
                s.Stamped.AddLatency((ProcessedAt(result.Data) - ProcessedAt(use.Data)).TotalMilliseconds);
            }
        }
        await stream.NextAsync("session.status_idle", Timeout, ct);
    }

    /// <summary>How many tool results the request carries: the calls made so far in this turn (one turn per session).</summary>
    private static int Results(RecordedRequest request) =>
        request.Messages.Count(m => m?["content"] is JsonArray blocks && blocks.Any(b => b?["type"]?.GetValue<string>() == "tool_result"));

    private static DateTimeOffset ProcessedAt(JsonNode data) =>
        DateTimeOffset.Parse(data["processed_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
}
