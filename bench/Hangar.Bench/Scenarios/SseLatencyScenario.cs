using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.Server;
using Microsoft.AspNetCore.Builder;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Live-stream latency through a real server on loopback: the time from the start of
/// <c>POST /v1/sessions/{id}/events</c> (one <c>user.message</c>) to that event's frame arriving
/// at the SSE subscriber(s); with 20 subscribers, to the last of them. SQLite and PostgreSQL
/// servers (API only, no harness workers) run at the same time and take turns event by event.
/// Client and server share the machine's cores, so the figures include the client's scheduling.
/// </summary>
public sealed class SseLatencyScenario : IScenario
{
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(30);

    public string Name => "sse-latency";

    public int Order => 30;

    private sealed record Variant(Engine Engine, int Subscribers, HttpClient Client, string SessionId, List<EventStream> Streams, VariantSamples Samples);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var events = context.Size(1000, 5);
        var warmup = context.Size(20, 1);
        var apps = new List<WebApplication>();
        var variants = new List<Variant>();
        try
        {
            foreach (var engine in Enum.GetValues<Engine>())
            {
                var key = "bench-" + Guid.NewGuid().ToString("N");
                var app = await HangarServer.BuildAsync(new HangarServerOptions
                {
                    Port = 0,
                    Store = await context.NewStoreOptionsAsync(engine, ct),
                    BootstrapApiKey = key,
                    // API only: no harness worker may pick the messages up and add its own
                    // events and load; this measures the log → stream path alone.
                    RunWorkers = false,
                    Limits = Hangar.Server.Http.RequestLimits.Unlimited, // A bench measures the server, not its tenant limits.
                }, ct);
                apps.Add(app);
                await app.StartAsync(ct);
                var client = new HttpClient { BaseAddress = ServerAddresses.Of(app), Timeout = FrameTimeout };
                client.DefaultRequestHeaders.Add("x-api-key", key);
                client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
                foreach (var subscribers in new[] { 1, 20 })
                {
                    var sessionId = await NewSessionAsync(client, ct);
                    var streams = new List<EventStream>();
                    for (var i = 0; i < subscribers; i++)
                    {
                        streams.Add(await EventStream.ConnectAsync(client, sessionId, ct));
                    }
                    var name = $"{LogAppendScenario.Label(engine)}, {subscribers} subscriber{(subscribers == 1 ? "" : "s")}";
                    variants.Add(new Variant(engine, subscribers, client, sessionId, streams, new VariantSamples(name)));
                }
            }
            context.Progress($"sse-latency: {warmup} warm-up + {events} events per variant, interleaved");
            var measured = false;
            await Interleaving.RunAsync(warmup, [.. variants.Select(v => (Func<int, Task>)(i => SendOneAsync(v, i, measured, ct)))], ct);
            measured = true;
            await Interleaving.RunAsync(events, [.. variants.Select(v => (Func<int, Task>)(i => SendOneAsync(v, warmup + i, measured, ct)))], ct,
                m => context.Progress("sse-latency: " + m));
            return [.. variants.Select(v => new Result("sse-latency", v.Samples.Name, v.Samples.Operations, v.Samples.Latency(),
                Ratios: v.Engine == Engine.Sqlite ? [] : [v.Samples.P50RatioTo(variants.Single(o => o.Engine == Engine.Sqlite && o.Subscribers == v.Subscribers).Samples, "sqlite")],
                Note: v.Subscribers == 1 ? "POST start → frame received" : "POST start → frame received by the last subscriber"))];
        }
        finally
        {
            foreach (var v in variants)
            {
                foreach (var stream in v.Streams)
                {
                    await stream.DisposeAsync();
                }
            }
            foreach (var client in variants.Select(v => v.Client).Distinct())
            {
                client.Dispose();
            }
            foreach (var app in apps)
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Posts one message and waits until every subscriber has its frame.</summary>
    private static async Task SendOneAsync(Variant v, int index, bool measured, CancellationToken ct)
    {
        var marker = $"bench message {index}";
        var body = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["type"] = "user.message",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = marker }),
            }),
        };
        var started = Stopwatch.GetTimestamp();
        var post = v.Client.PostAsJsonAsync($"/v1/sessions/{v.SessionId}/events", body, ct);
        var arrivals = v.Streams.Select(s => s.NextAsync("user.message", FrameTimeout, ct)).ToList();
        using (var response = await post)
        {
            response.EnsureSuccessStatusCode();
        }
        long last = 0;
        foreach (var arrival in arrivals)
        {
            var (data, ticks) = await arrival;
            var text = data["content"]?[0]?["text"]?.GetValue<string>() ?? "";
            if (text != marker)
            {
                throw new InvalidOperationException($"Expected '{marker}' on the stream, got '{text}'.");
            }
            last = Math.Max(last, ticks);
        }
        if (measured)
        {
            v.Samples.AddLatency(Stopwatch.GetElapsedTime(started, last).TotalMilliseconds);
        }
    }

    internal static async Task<string> NewSessionAsync(HttpClient client, CancellationToken ct, JsonArray? tools = null)
    {
        var agent = await CreateAsync(client, "/v1/agents", new JsonObject
        {
            ["name"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["model"] = "claude-sonnet-4-5",
            ["tools"] = tools ?? [],
        }, ct);
        var environment = await CreateAsync(client, "/v1/environments", new JsonObject
        {
            ["name"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["config"] = new JsonObject { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "unrestricted" } },
        }, ct);
        return await CreateAsync(client, "/v1/sessions", new JsonObject { ["agent"] = agent, ["environment_id"] = environment }, ct);
    }

    internal static async Task<string> CreateAsync(HttpClient client, string path, JsonObject body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        var json = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} returned {(int)response.StatusCode}: {json}");
        }
        return JsonNode.Parse(json)!["id"]!.GetValue<string>();
    }
}
