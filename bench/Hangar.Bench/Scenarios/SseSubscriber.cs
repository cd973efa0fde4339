using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// A client following a session's SSE stream. For every <c>user.message</c> frame it reports the
/// message's text and the moment (<see cref="Stopwatch"/> ticks) its <c>data:</c> line was read.
/// </summary>
public sealed class SseSubscriber : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Text, long Ticks)> _messages = Channel.CreateUnbounded<(string, long)>();
    private readonly Task _reader;

    private SseSubscriber(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects; when this returns the server has sent the headers, i.e. the subscription is in place.</summary>
    public static async Task<SseSubscriber> ConnectAsync(HttpClient client, string sessionId, CancellationToken ct)
    {
        var response = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream"), HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return new SseSubscriber(response);
    }

    /// <summary>The next user message seen on the stream.</summary>
    public async Task<(string Text, long Ticks)> NextMessageAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        return await _messages.Reader.ReadAsync(limit.Token);
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }
                var ticks = Stopwatch.GetTimestamp();
                var data = JsonNode.Parse(line.AsSpan(5).Trim().ToString());
                if (data?["type"]?.GetValue<string>() == "user.message")
                {
                    _messages.Writer.TryWrite((data["content"]?[0]?["text"]?.GetValue<string>() ?? "", ticks));
                }
            }
            _messages.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _messages.Writer.TryComplete(_stop.IsCancellationRequested ? null : e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _stop.Dispose();
    }
}
