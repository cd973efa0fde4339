using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hangar.Server.Tests.Sessions;

/// <summary>One SSE frame as received, with the time it was fully read.</summary>
public sealed record SseFrame(string? Event, string? Id, JsonObject? Data, long ReceivedTicks);

/// <summary>
/// A hand-rolled SSE reader over HttpClient: connects (headers received = subscribed), then
/// parses frames into a channel until the server ends the stream or the test disposes it.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseFrame> _frames = Channel.CreateUnbounded<SseFrame>();
    private readonly Task _reader;

    private SseClient(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Completes when the server closes the stream.</summary>
    public Task Completion => _reader;

    public static async Task<SseClient> ConnectAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseClient(response);
    }

    /// <summary>The next frame, or null when the stream ended; fails after <paramref name="timeout"/>.</summary>
    public async Task<SseFrame?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _frames.Reader.WaitToReadAsync(cts.Token) ? await _frames.Reader.ReadAsync(cts.Token) : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No SSE frame within {timeout}.");
        }
    }

    /// <summary>The next non-ping frame.</summary>
    public async Task<SseFrame?> NextEventAsync(TimeSpan timeout)
    {
        while (true)
        {
            var frame = await NextAsync(timeout);
            if (frame is null || frame.Event != "ping")
            {
                return frame;
            }
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? evt = null, id = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (evt is not null || data.Length > 0)
                    {
                        var json = data.Length > 0 ? JsonNode.Parse(data.ToString()) as JsonObject : null;
                        _frames.Writer.TryWrite(new SseFrame(evt, id, json, System.Diagnostics.Stopwatch.GetTimestamp()));
                    }
                    evt = id = null;
                    data.Clear();
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    evt = line[7..];
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    Assert.Equal(0, data.Length); // The server sends one-line JSON.
                    data.Append(line, 6, line.Length - 6);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && _stop.IsCancellationRequested)
        {
            // Disposed by the test.
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Ending the stream from our side.
        }
        _stop.Dispose();
    }
}
