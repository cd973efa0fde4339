using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// What one batch of simultaneous turns did: each successful turn's latency (start of its
/// <c>POST /events</c> → its <c>session.status_idle</c> on the SSE stream), the wall time from the
/// first POST to the last successful idle (a hung turn, listed as a failure, does not stretch it),
/// the CPU time this process used meanwhile (server and client; of it, in the kernel), and what
/// went wrong in the other turns (one line each).
/// </summary>
public sealed record TurnBatch(IReadOnlyList<double> LatenciesMs, TimeSpan Wall, TimeSpan Cpu, TimeSpan KernelCpu, IReadOnlyList<string> Failures)
{
    /// <summary>Failures grouped, e.g. <c>2× tool error: ...</c>; "none" when every turn did what it should.</summary>
    public static string Summary(IEnumerable<string> failures)
    {
        var groups = failures.GroupBy(f => f).Select(g => $"{g.Count()}× {g.Key}").ToList();
        return groups.Count == 0 ? "none" : string.Join("; ", groups);
    }
}

/// <summary>
/// One turn on each of many idle sessions at the same time: a stream is opened on every session,
/// then every <c>user.message</c> is posted at once. Each turn must end with <c>end_turn</c> and,
/// when a tool call is expected, have run the model's <c>bash echo hi</c>; anything else is a
/// failure, reported, not thrown, so a run under load shows its errors next to its figures. A turn
/// not idle within the timeout is interrupted (<c>user.interrupt</c>), so that the session is idle
/// again for the next batch.
/// </summary>
public static class ConcurrentTurns
{
    private static readonly TimeSpan InterruptTimeout = TimeSpan.FromSeconds(30);

    private sealed record Outcome(double Ms, long EndTicks, string? Failure);

    /// <param name="withTool">Ask for the <c>bash echo hi</c> turn; otherwise for a text reply alone (<see cref="FakeModelProcess.TextOnly"/>).</param>
    public static async Task<TurnBatch> RunAsync(
        HttpClient client, IReadOnlyList<string> sessions, bool withTool, TimeSpan timeout, CancellationToken ct)
    {
        var streams = new EventStream?[sessions.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, sessions.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                async (i, token) => streams[i] = await EventStream.ConnectAsync(client, sessions[i], token));
            using var self = Process.GetCurrentProcess();
            var (cpu, kernel) = (self.TotalProcessorTime, self.PrivilegedProcessorTime);
            var started = Stopwatch.GetTimestamp();
            var turns = await Task.WhenAll(sessions.Select((id, i) => TurnAsync(client, id, streams[i]!, withTool, timeout, ct)));
            self.Refresh();
            var done = turns.Where(t => t.Failure is null).ToList();
            var wall = done.Count == 0 ? Stopwatch.GetElapsedTime(started) : Stopwatch.GetElapsedTime(started, done.Max(t => t.EndTicks));
            return new TurnBatch([.. done.Select(t => t.Ms)], wall, self.TotalProcessorTime - cpu, self.PrivilegedProcessorTime - kernel,
                [.. turns.Where(t => t.Failure is not null).Select(t => t.Failure!)]);
        }
        finally
        {
            foreach (var stream in streams)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync();
                }
            }
        }
    }

    private static async Task<Outcome> TurnAsync(
        HttpClient client, string sessionId, EventStream stream, bool withTool, TimeSpan timeout, CancellationToken ct)
    {
        var frames = new List<(JsonNode Data, long Ticks)>();
        try
        {
            var posted = await WorkingServer.SendMessageAsync(client, sessionId, withTool ? FakeModelProcess.ToolPrompt : FakeModelProcess.TextOnly, ct);
            await stream.FramesUntilAsync("session.status_idle", frames, timeout, ct);
            var end = frames[^1].Ticks;
            return new Outcome(Stopwatch.GetElapsedTime(posted, end).TotalMilliseconds, end, Check([.. frames.Select(f => f.Data)], withTool));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var stuck = $"no session.status_idle within {timeout.TotalSeconds:0} s " +
                $"(stream got: {Types(frames.Select(f => f.Data))}; {await StoredAsync(client, sessionId, ct)})";
            return new Outcome(0, 0, $"{stuck}; {await InterruptAsync(client, sessionId, stream, ct)}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return new Outcome(0, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Interrupts a stuck turn and waits for the session to go idle; says how that went.</summary>
    private static async Task<string> InterruptAsync(HttpClient client, string sessionId, EventStream stream, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var body = new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "user.interrupt" }) };
            using (var response = await client.PostAsync($"/v1/sessions/{sessionId}/events",
                new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), ct))
            {
                response.EnsureSuccessStatusCode();
            }
            await stream.FramesUntilAsync("session.status_idle", [], InterruptTimeout, ct);
            return $"user.interrupt → idle in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return $"user.interrupt did not bring it back to idle within {InterruptTimeout.TotalSeconds:0} s ({e.GetType().Name})";
        }
    }

    /// <summary>What the server has for a stuck turn: the session's status and its last events, to tell a lost frame from a stuck turn.</summary>
    private static async Task<string> StoredAsync(HttpClient client, string sessionId, CancellationToken ct)
    {
        try
        {
            var session = JsonNode.Parse(await client.GetStringAsync($"/v1/sessions/{sessionId}", ct));
            var events = JsonNode.Parse(await client.GetStringAsync($"/v1/sessions/{sessionId}/events?order=desc&limit=8", ct));
            var last = (events?["data"] as JsonArray ?? []).Select(e => e!).Reverse();
            return $"status {session?["status"]}, last stored events: {Types(last)}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return $"could not read the session: {e.Message}";
        }
    }

    private static string Types(IEnumerable<JsonNode> frames) => string.Join(" ", frames.Select(EventStream.TypeOf).Where(t => t != "ping"));

    /// <summary>Null when the turn ended normally and ran the tool (getting <c>hi</c> back) if and only if asked to.</summary>
    private static string? Check(IReadOnlyList<JsonNode> frames, bool withTool)
    {
        if (frames.FirstOrDefault(f => EventStream.TypeOf(f) == "session.error") is { } error)
        {
            return $"session.error {error["error"]?["type"]}: {error["error"]?["message"]}";
        }
        var stop = frames[^1]["stop_reason"]?["type"]?.GetValue<string>();
        if (stop != "end_turn")
        {
            return $"ended with stop_reason {stop}";
        }
        var result = frames.FirstOrDefault(f => EventStream.TypeOf(f) == "agent.tool_result");
        if (result is null)
        {
            return withTool ? "no agent.tool_result" : null;
        }
        if (!withTool)
        {
            return "unexpected agent.tool_result";
        }
        var output = result["content"]?.ToJsonString() ?? "";
        if (result["is_error"]?.GetValue<bool>() == true || !output.Contains("hi", StringComparison.Ordinal))
        {
            return $"tool result {(result["is_error"]?.GetValue<bool>() == true ? "is_error" : "unexpected")}: {Shorten(output)}";
        }
        return null;
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
