using System.Text.Json;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>One SSE frame as sent: its <c>event:</c> name (null when missing) and <c>data:</c> JSON.</summary>
public sealed record SseFrame(string? Event, string Data)
{
    public string? DataType => JsonDocument.Parse(Data).RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
}

/// <summary>A strict reader of <c>text/event-stream</c>: it keeps frames the SDKs would drop.</summary>
public static class SseFrames
{
    public static async IAsyncEnumerable<SseFrame> ReadAsync(
        Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        string? eventName = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    yield return new SseFrame(eventName, string.Join('\n', data));
                }
                eventName = null;
                data.Clear();
            }
            else if (line.StartsWith(':'))
            {
                continue; // comment keep-alive, allowed by the SSE spec
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                eventName = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line["data:".Length..].TrimStart());
            }
        }
    }
}
