using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// A client following a session's SSE stream that reports every frame's event type and the moment
/// (<see cref="Stopwatch"/> ticks) its <c>data:</c> line was read, for timing a turn event by event.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Type, long Ticks)> _frames = Channel.CreateUnbounded<(string, long)>();
    private readonly Task _reader;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects; when this returns the subscription is in place.</summary>
    public static async Task<EventStream> ConnectAsync(HttpClient client, string sessionId, CancellationToken ct)
    {
        var response = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream"), HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return new EventStream(response);
    }

    /// <summary>
    /// Reads frames until <paramref name="until"/> arrives; returns when each type was first seen
    /// (ticks) in that stretch, the last one included.
    /// </summary>
    public async Task<Dictionary<string, long>> ReadUntilAsync(string until, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        while (true)
        {
            var (type, ticks) = await _frames.Reader.ReadAsync(limit.Token);
            seen.TryAdd(type, ticks);
            if (type == until)
            {
                return seen;
            }
        }
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
                var type = JsonNode.Parse(line.AsSpan(5).Trim().ToString())?["type"]?.GetValue<string>() ?? "";
                _frames.Writer.TryWrite((type, ticks));
            }
            _frames.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _frames.Writer.TryComplete(_stop.IsCancellationRequested ? null : e);
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
