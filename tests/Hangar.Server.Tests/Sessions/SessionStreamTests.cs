using System.Diagnostics;
using Xunit.Abstractions;

namespace Hangar.Server.Tests.Sessions;

/// <summary>The SSE stream's delivery contract, run against each store engine.</summary>
public abstract class SessionStreamTests(SessionServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly SessionApi _api = new(server);

    [Fact]
    public async Task Twenty_subscribers_each_get_every_concurrently_appended_event_once_in_log_order()
    {
        var sessionId = (string)(await _api.CreateAsync())["id"]!;
        var subscribers = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => SseClient.ConnectAsync(server.Client, $"/v1/sessions/{sessionId}/events/stream")));
        try
        {
            const int appenders = 4, requestsEach = 25;
            await Task.WhenAll(Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
            {
                for (var i = 0; i < requestsEach; i++)
                {
                    await _api.SendTextAsync(sessionId, $"a{a}-{i}-x", $"a{a}-{i}-y");
                }
            })));
            var log = await _api.EventIdsAsync(sessionId);
            Assert.Equal(appenders * requestsEach * 2, log.Count);

            await Task.WhenAll(subscribers.Select(async subscriber =>
            {
                var received = new List<string>();
                while (received.Count < log.Count)
                {
                    var frame = await subscriber.NextEventAsync(Patience);
                    Assert.NotNull(frame);
                    Assert.Equal("user.message", frame.Event);
                    Assert.Equal(frame.Id, (string?)frame.Data?["id"]);
                    received.Add(frame.Id!);
                }
                Assert.Equal(log, received);
            }));
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Stream_has_sse_headers_only_sends_events_after_connect_and_pings_when_idle()
    {
        var sessionId = (string)(await _api.CreateAsync())["id"]!;
        await _api.SendTextAsync(sessionId, "before connect");
        await using var stream = await SseClient.ConnectAsync(server.Client, $"/v1/sessions/{sessionId}/events/stream");
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoCache);

        var ping = await stream.NextAsync(Patience);
        Assert.Equal("ping", ping?.Event);
        Assert.Equal("ping", (string?)ping?.Data?["type"]);
        var second = await stream.NextAsync(Patience);
        Assert.Equal("ping", second?.Event);

        var sent = (string)(await _api.SendTextAsync(sessionId, "after connect"))["data"]![0]!["id"]!;
        var frame = await stream.NextEventAsync(Patience);
        Assert.Equal(sent, frame?.Id);
        Assert.Equal("after connect", (string?)frame?.Data?["content"]?[0]?["text"]);
        Assert.Null((string?)frame?.Data?["processed_at"]);
    }

    [Fact]
    public async Task Deleting_the_session_ends_open_streams_with_session_deleted()
    {
        var sessionId = (string)(await _api.CreateAsync())["id"]!;
        await using var stream = await SseClient.ConnectAsync(server.Client, $"/v1/sessions/{sessionId}/events/stream");
        await server.OkAsync(HttpMethod.Delete, $"/v1/sessions/{sessionId}");

        var frame = await stream.NextEventAsync(Patience);
        Assert.Equal("session.deleted", frame?.Event);
        Assert.Null(await stream.NextEventAsync(Patience)); // The server ended the stream.
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Last_event_id_resumes_after_that_event()
    {
        var sessionId = (string)(await _api.CreateAsync())["id"]!;
        await _api.SendTextAsync(sessionId, "one", "two", "three");
        var log = await _api.EventIdsAsync(sessionId);
        await using var stream = await SseClient.ConnectAsync(server.Client, $"/v1/sessions/{sessionId}/events/stream", lastEventId: log[0]);
        Assert.Equal(log[1], (await stream.NextEventAsync(Patience))?.Id);
        Assert.Equal(log[2], (await stream.NextEventAsync(Patience))?.Id);
        var fourth = (string)(await _api.SendTextAsync(sessionId, "four"))["data"]![0]!["id"]!;
        Assert.Equal(fourth, (await stream.NextEventAsync(Patience))?.Id);
    }

    [Fact]
    public async Task Last_event_id_of_another_session_is_refused()
    {
        var first = (string)(await _api.CreateAsync())["id"]!;
        var second = (string)(await _api.CreateAsync())["id"]!;
        await _api.SendTextAsync(first, "x");
        var foreign = (await _api.EventIdsAsync(first))[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{second}/events/stream");
        request.Headers.Add("Last-Event-ID", foreign);
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Delivery_latency_from_append_to_frame()
    {
        var sessionId = (string)(await _api.CreateAsync())["id"]!;
        await using var stream = await SseClient.ConnectAsync(server.Client, $"/v1/sessions/{sessionId}/events/stream");
        var latencies = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var id = (string)(await _api.SendTextAsync(sessionId, $"m{i}"))["data"]![0]!["id"]!;
            var frame = await stream.NextEventAsync(Patience);
            Assert.Equal(id, frame?.Id);
            latencies.Add(Stopwatch.GetElapsedTime(start, frame!.ReceivedTicks).TotalMilliseconds);
        }
        latencies.Sort();
        output.WriteLine($"{GetType().Name}: append→frame latency over {latencies.Count} events: " +
            $"p50 {latencies[latencies.Count / 2]:F2} ms, p95 {latencies[latencies.Count * 95 / 100]:F2} ms, max {latencies[^1]:F2} ms");
    }
}

public sealed class SqliteSessionStreamTests(SessionServerFixture server, ITestOutputHelper output)
    : SessionStreamTests(server, output), IClassFixture<SessionServerFixture>;

public sealed class PostgresSessionStreamTests(PostgresSessionServerFixture server, ITestOutputHelper output)
    : SessionStreamTests(server, output), IClassFixture<PostgresSessionServerFixture>;
