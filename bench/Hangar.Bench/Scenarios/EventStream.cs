using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// A client following a session's SSE stream that reports every frame (its JSON) and the moment
/// (<see cref="Stopwatch"/> ticks) its <c>data:</c> line was read, for timing events as clients see them.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(JsonNode Data, long Ticks)> _frames = Channel.CreateUnbounded<(JsonNode, long)>();
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
            var (data, ticks) = await _frames.Reader.ReadAsync(limit.Token);
            var type = TypeOf(data);
            seen.TryAdd(type, ticks);
            if (type == until)
            {
                return seen;
            }
        }
    }

    /// <summary>
    /// Adds every frame to <paramref name="frames"/> until <paramref name="until"/> arrives (that one
    /// included); on a timeout the caller still has what did arrive.
    /// </summary>
    public async Task FramesUntilAsync(string until, List<(JsonNode Data, long Ticks)> frames, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(limit.Token);
            frames.Add(frame);
            if (TypeOf(frame.Data) == until)
            {
                return;
            }
        }
    }

    /// <summary>The next frame of <paramref name="type"/> (earlier frames of other types are skipped).</summary>
    public async Task<(JsonNode Data, long Ticks)> NextAsync(string type, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(limit.Token);
            if (TypeOf(frame.Data) == type)
            {
                return frame;
            }
        }
    }

    internal static string TypeOf(JsonNode data) => data["type"]?.GetValue<string>() ?? "";

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
                if (JsonNode.Parse(line.AsSpan(5).Trim().ToString()) is { } data)
                {
                    _frames.Writer.TryWrite((data, ticks));
                }
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
