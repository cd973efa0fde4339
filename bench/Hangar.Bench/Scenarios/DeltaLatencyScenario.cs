using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Server.Harness;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// Live previews (issue 15): from the fake model writing its first token (the first
/// <c>content_block_delta</c> flushed, timestamped by the fake) to the first <c>event_delta</c>
/// frame read by a client whose stream asked for <c>event_deltas[]=agent.message</c>; on SQLite and
/// PostgreSQL servers with in-process workers, interleaved, one turn per round.
/// </summary>
public sealed class DeltaLatencyScenario : IScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Name => "delta-latency";

    public int Order => 42;

    private sealed record Server(WorkingServer Hangar, string SessionId, PreviewStream Stream, VariantSamples FirstDelta, VariantSamples FirstToMessage);

    public async Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rounds = context.Size(200, 3);
        var warmup = context.Size(10, 1);
        await using var model = await FakeMessagesServer.StartAsync(ct);
        model.Respond(_ => FakeReply.Text("Previews of this reply reach the client word by word while the fake model is still writing it.")
            .WithTokenDelay(TimeSpan.FromMilliseconds(2)));
        long firstToken = 0;
        model.FirstDeltaWritten = (_, ticks) => Interlocked.Exchange(ref firstToken, ticks);
        var servers = new List<Server>();
        try
        {
            foreach (var engine in Enum.GetValues<Engine>())
            {
                var hangar = await WorkingServer.StartAsync(context, engine, model, s => s with { Sandbox = SandboxKind.Local }, ct);
                var sessionId = await SseLatencyScenario.NewSessionAsync(hangar.Client, ct);
                var label = LogAppendScenario.Label(engine);
                servers.Add(new Server(hangar, sessionId, await PreviewStream.ConnectAsync(hangar.Client, sessionId, ct),
                    new VariantSamples($"{label}: model's first token → first event_delta at the client"),
                    new VariantSamples($"{label}: first event_delta → agent.message")));
            }
            var measured = false;
            List<Func<int, Task>> variants = [.. servers.Select(s => (Func<int, Task>)(async i =>
            {
                Interlocked.Exchange(ref firstToken, 0);
                await s.Hangar.SendMessageAsync(s.SessionId, $"bench turn {i}", ct);
                var (delta, message) = await s.Stream.TurnAsync(Timeout, ct);
                var token = Interlocked.Read(ref firstToken);
                if (measured && token != 0 && delta != 0)
                {
                    s.FirstDelta.AddLatency(Stopwatch.GetElapsedTime(token, delta).TotalMilliseconds);
                    s.FirstToMessage.AddLatency(Stopwatch.GetElapsedTime(delta, message).TotalMilliseconds);
                }
            }))];
            context.Progress($"delta-latency: {warmup} warm-up + {rounds} rounds, interleaved");
            await Interleaving.RunAsync(warmup, variants, ct);
            measured = true;
            await Interleaving.RunAsync(rounds, variants, ct, m => context.Progress("delta-latency: " + m));
            return [.. servers.SelectMany(s => new Result[]
            {
                new(Name, s.FirstDelta.Name, s.FirstDelta.Operations, s.FirstDelta.Latency(), Note: "goal p50 < 5 ms; same process, same clock"),
                new(Name, s.FirstToMessage.Name, s.FirstToMessage.Operations, s.FirstToMessage.Latency(),
                    Note: "how much earlier the text starts showing (≈ the model's writing time)"),
            })];
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

    /// <summary>A stream with <c>event_deltas[]=agent.message</c>, read line by line with arrival timestamps.</summary>
    private sealed class PreviewStream(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
    {
        public static async Task<PreviewStream> ConnectAsync(HttpClient client, string sessionId, CancellationToken ct)
        {
            var response = await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream?event_deltas[]=agent.message"),
                HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            return new PreviewStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(ct)));
        }

        /// <summary>Reads one turn to <c>session.status_idle</c>: when the first event_delta and the agent.message arrived.</summary>
        public async Task<(long FirstDelta, long Message)> TurnAsync(TimeSpan timeout, CancellationToken ct)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            long delta = 0, message = 0;
            while (await reader.ReadLineAsync(limit.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }
                var at = Stopwatch.GetTimestamp();
                switch ((string?)JsonNode.Parse(line.AsSpan(5).Trim().ToString())?["type"])
                {
                    case "event_delta" when delta == 0:
                        delta = at;
                        break;
                    case "agent.message" when message == 0:
                        message = at;
                        break;
                    case "session.status_idle":
                        return (delta, message);
                }
            }
            throw new IOException("The stream ended mid-turn.");
        }

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
