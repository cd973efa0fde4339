using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Read throughput as clients get it, through a real server on loopback: a 10k-event session
/// listed with <c>GET /v1/sessions/{id}/events</c> in pages of 100 (following <c>next_page</c>), and
/// replayed over SSE from its first event (<c>Last-Event-ID</c>) to the last frame; SQLite vs
/// PostgreSQL servers side by side, one full pass per variant per round, alternating. The client
/// counts frames without parsing them, so the stream figure is the server's rate.
/// </summary>
public sealed class ApiReadScenario : IScenario
{
    private const int PageSize = 100;

    public string Name => "log-read-api";

    public int Order => 21;

    private sealed record Variant(Engine Engine, string Kind, WorkingServer Server, string SessionId, string FirstEventId, VariantSamples Samples);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var events = context.Size(10_000, 300);
        var rounds = context.Size(10, 1);
        var servers = new List<WorkingServer>();
        var variants = new List<Variant>();
        try
        {
            foreach (var engine in Enum.GetValues<Engine>())
            {
                var server = await WorkingServer.StartApiOnlyAsync(await context.NewStoreOptionsAsync(engine, ct), ct);
                servers.Add(server);
                var sessionId = await SseLatencyScenario.NewSessionAsync(server.Client, ct);
                context.Progress($"log-read-api: seeding {events} events on {LogAppendScenario.Label(engine)} through POST /events");
                var firstId = await SeedAsync(server.Client, sessionId, events, ct);
                var label = LogAppendScenario.Label(engine);
                variants.Add(new Variant(engine, "list", server, sessionId, firstId, new VariantSamples($"{label}: list, pages of {PageSize}")));
                variants.Add(new Variant(engine, "stream", server, sessionId, firstId, new VariantSamples($"{label}: SSE replay from the first event")));
            }
            var warmup = new VariantSamples("warm-up");
            foreach (var v in variants)
            {
                await PassAsync(v with { Samples = warmup }, events, ct);
            }
            context.Progress($"log-read-api: {rounds} rounds of one full pass per variant");
            await Interleaving.RunAsync(rounds, [.. variants.Select(v => (Func<int, Task>)(_ => PassAsync(v, events, ct)))], ct,
                m => context.Progress("log-read-api: " + m));
            return [.. variants.Select(v =>
            {
                var sqlite = variants.Single(o => o.Engine == Engine.Sqlite && o.Kind == v.Kind).Samples;
                return new Result(Name, v.Samples.Name, v.Samples.Operations, v.Samples.Latency(), new Throughput(v.Samples.Rate, "events/s"),
                    v.Engine == Engine.Sqlite ? [] : [v.Samples.RateRatioTo(sqlite, "events/s", "sqlite")],
                    v.Kind == "list" ? $"latency per page; {events} events per pass" : $"latency = the whole replay of {events - 1} frames");
            })];
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Appends <paramref name="count"/> user messages in posts of 100; returns the first event's id.</summary>
    private static async Task<string> SeedAsync(HttpClient client, string sessionId, int count, CancellationToken ct)
    {
        string? first = null;
        for (var sent = 0; sent < count; sent += PageSize)
        {
            var batch = new JsonArray();
            for (var i = sent; i < Math.Min(count, sent + PageSize); i++)
            {
                batch.Add(new JsonObject
                {
                    ["type"] = "user.message",
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"message {i}: " + new string('x', 200) }),
                });
            }
            using var response = await client.PostAsJsonAsync($"/v1/sessions/{sessionId}/events", new JsonObject { ["events"] = batch }, ct);
            response.EnsureSuccessStatusCode();
            first ??= (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["data"]![0]!["id"]!.GetValue<string>();
        }
        return first!;
    }

    private static Task PassAsync(Variant v, int events, CancellationToken ct) =>
        v.Kind == "list" ? ListAsync(v, events, ct) : ReplayAsync(v, events - 1, ct);

    private static async Task ListAsync(Variant v, int expected, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var read = 0;
        string? page = null;
        do
        {
            var started = Stopwatch.GetTimestamp();
            var url = $"/v1/sessions/{v.SessionId}/events?limit={PageSize}" + (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            var body = await v.Server.Client.GetFromJsonAsync<JsonObject>(url, ct);
            v.Samples.AddLatency(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            read += body!["data"]!.AsArray().Count;
            page = body["next_page"]?.GetValue<string>();
        }
        while (page is not null);
        Check(read, expected);
        v.Samples.AddRound(read, clock.Elapsed);
    }

    private static async Task ReplayAsync(Variant v, int expected, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{v.SessionId}/events/stream");
        request.Headers.Add("Last-Event-ID", v.FirstEventId);
        using var response = await v.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        var read = 0;
        while (read < expected && await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                read++;
            }
        }
        Check(read, expected);
        v.Samples.AddLatency(clock.Elapsed.TotalMilliseconds);
        v.Samples.AddRound(read, clock.Elapsed);
    }

    private static void Check(int read, int expected)
    {
        if (read != expected)
        {
            throw new InvalidOperationException($"Read {read} events, expected {expected}.");
        }
    }
}
