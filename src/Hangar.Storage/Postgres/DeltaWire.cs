using System.Buffers;
using System.Text;
using System.Text.Json;
using Hangar.Storage.Deltas;

namespace Hangar.Storage.Postgres;

/// <summary>
/// The NOTIFY payloads of <see cref="PostgresDeltaBus"/>. Frames: <c>{"o":origin,"s":session,"f":[[id,type,index,text|null],…]}</c>,
/// each payload under PostgreSQL's 8000-byte limit. Watch messages: <c>+origin session,session…</c>
/// (watching), <c>-origin session</c> (stopped), <c>?origin</c> (please announce again).
/// </summary>
internal static class DeltaWire
{
    /// <summary>Bytes per payload: under the 8000-byte limit with room for the envelope.</summary>
    private const int PayloadBudget = 7600;

    /// <summary>Characters of text per frame: even fully \u-escaped (6 bytes each) one frame fits a payload.</summary>
    private const int MaxTextPerFrame = 1000;

    public abstract record WatchMessage
    {
        public sealed record Watching(string Origin, IReadOnlyList<string> Sessions) : WatchMessage;

        public sealed record Stopped(string Origin, string Session) : WatchMessage;

        public sealed record Asking : WatchMessage;
    }

    public sealed record FramePayload(string Session, List<DeltaFrame> Frames);

    public static IEnumerable<DeltaFrame> Split(DeltaFrame frame)
    {
        if (frame.Text is not { Length: > MaxTextPerFrame } text)
        {
            yield return frame;
            yield break;
        }
        for (var start = 0; start < text.Length;)
        {
            var length = Math.Min(MaxTextPerFrame, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length--; // Never split a surrogate pair.
            }
            yield return frame with { Text = text.Substring(start, length) };
            start += length;
        }
    }

    /// <summary>Payloads for the batch, in order, one session per payload.</summary>
    public static IEnumerable<string> Payloads(string origin, IReadOnlyList<(string Session, DeltaFrame Frame)> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        string? session = null;
        var frames = new List<byte[]>();
        var size = 0;
        foreach (var (s, frame) in batch)
        {
            var bytes = FrameBytes(frame, buffer);
            if (session is not null && (s != session || size + bytes.Length + 1 > PayloadBudget))
            {
                yield return Envelope(origin, session, frames);
                frames.Clear();
                size = 0;
            }
            session = s;
            frames.Add(bytes);
            size += bytes.Length + 1;
        }
        if (session is not null)
        {
            yield return Envelope(origin, session, frames);
        }
    }

    private static byte[] FrameBytes(DeltaFrame frame, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(frame.EventId);
            writer.WriteStringValue(frame.EventType);
            writer.WriteNumberValue(frame.Index);
            if (frame.Text is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(frame.Text);
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string Envelope(string origin, string session, List<byte[]> frames)
    {
        var text = new StringBuilder();
        text.Append("{\"o\":\"").Append(origin).Append("\",\"s\":\"").Append(session).Append("\",\"f\":[");
        for (var i = 0; i < frames.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Encoding.UTF8.GetString(frames[i]));
        }
        return text.Append("]}").ToString();
    }

    /// <summary>The frames of a payload another process sent; null for this process's own or a malformed one.</summary>
    public static FramePayload? ReadFrames(string payload, string self)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.GetProperty("o").GetString() == self)
            {
                return null;
            }
            var frames = new List<DeltaFrame>();
            foreach (var f in root.GetProperty("f").EnumerateArray())
            {
                frames.Add(new DeltaFrame(f[0].GetString()!, f[1].GetString()!, f[2].GetInt32(), f[3].ValueKind == JsonValueKind.Null ? null : f[3].GetString()));
            }
            return new FramePayload(root.GetProperty("s").GetString()!, frames);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static string Watch(string origin, IEnumerable<string> sessions) => $"+{origin} {string.Join(',', sessions)}";

    /// <summary>Watch messages for all the sessions, each under the payload budget.</summary>
    public static IEnumerable<string> Watches(string origin, IReadOnlyList<string> sessions)
    {
        // Session ids are ~30 ASCII characters: 200 per message stays far below the limit.
        return sessions.Chunk(200).Select(chunk => Watch(origin, chunk));
    }

    public static string Unwatch(string origin, string session) => $"-{origin} {session}";

    public static string Ask(string origin) => $"?{origin}";

    /// <summary>Another process's watch message; null for this process's own or a malformed one.</summary>
    public static WatchMessage? ReadWatch(string payload, string self)
    {
        if (payload.Length < 2)
        {
            return null;
        }
        var space = payload.IndexOf(' ');
        var origin = space < 0 ? payload[1..] : payload[1..space];
        if (origin == self)
        {
            return null;
        }
        var rest = space < 0 ? "" : payload[(space + 1)..];
        return payload[0] switch
        {
            '+' => new WatchMessage.Watching(origin, rest.Split(',', StringSplitOptions.RemoveEmptyEntries)),
            '-' when rest.Length > 0 => new WatchMessage.Stopped(origin, rest),
            '?' => new WatchMessage.Asking(),
            _ => null,
        };
    }
}
