using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Server.Http;

/// <summary>
/// Writes Server-Sent Events frames as the SDKs need them: <c>event:</c> on every frame, one-line
/// JSON <c>data:</c>, and a flush per frame so each event leaves as soon as it is written.
/// </summary>
public sealed class SseWriter(Stream body)
{
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("event: ping\ndata: {\"type\":\"ping\"}\n\n");

    public async Task WriteEventAsync(string type, string id, JsonNode data, CancellationToken ct)
    {
        // Types and ids come from the server, but a newline in either would split the frame.
        if (type.AsSpan().ContainsAny('\r', '\n') || id.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new InvalidOperationException("An SSE event type or id contains a line break.");
        }
        var frame = $"event: {type}\nid: {id}\ndata: {data.ToJsonString(WireJson.Options)}\n\n";
        await body.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);
        await body.FlushAsync(ct);
    }

    /// <summary>A frame without an SSE id (previews: never stored, so nothing to resume from); not flushed.</summary>
    public async Task WriteFrameAsync(string type, JsonNode data, CancellationToken ct)
    {
        var frame = $"event: {type}\ndata: {data.ToJsonString(WireJson.Options)}\n\n";
        await body.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);
    }

    public Task FlushAsync(CancellationToken ct) => body.FlushAsync(ct);

    public async Task WritePingAsync(CancellationToken ct)
    {
        await body.WriteAsync(Ping, ct);
        await body.FlushAsync(ct);
    }
}
