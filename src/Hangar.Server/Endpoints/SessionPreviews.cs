using System.Text.Json.Nodes;
using Hangar.Server.Http;
using Hangar.Storage;
using Hangar.Storage.Deltas;

namespace Hangar.Server.Endpoints;

/// <summary>
/// The preview side of one stream opened with <c>event_deltas[]</c>: frames from the
/// <see cref="IDeltaBus"/>, woven into the log's events in the documented order —
/// <c>span.model_request_start</c> → <c>event_start</c> → <c>event_delta</c>… → the logged event
/// (same id) → <c>span.model_request_end</c>. A frame that comes after its event was written (or after
/// the request's span ended) is dropped, so a client only ever sees a prefix of the final text.
/// </summary>
internal sealed class SessionPreviews : IDisposable
{
    private readonly DeltaSubscription _frames;
    private readonly IReadOnlySet<string> _types;
    private readonly List<DeltaFrame> _pending = [];
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closed = new(StringComparer.Ordinal);
    private bool _requestOpen;
    private Task<bool>? _logWait;
    private Task<bool>? _frameWait;

    public SessionPreviews(IDeltaBus bus, string sessionId, IReadOnlySet<string> types)
    {
        _types = types;
        _frames = bus.Subscribe(sessionId);
    }

    /// <summary>
    /// Takes the frames that arrived; true when one starts an event and this stream has not written its
    /// request's span start yet: the log must be read first (the span start is logged before the model
    /// is called, so that read shows it). Otherwise previews go out without a database round trip.
    /// </summary>
    public bool Take()
    {
        var starts = false;
        while (_frames.Frames.TryRead(out var frame))
        {
            if (_types.Contains(frame.EventType) && !_closed.Contains(frame.EventId))
            {
                _pending.Add(frame);
                starts |= frame.IsStart;
            }
        }
        return starts && !_requestOpen;
    }

    /// <summary>Before a logged event is written: the previews it completes go first, and later ones are dropped.</summary>
    public async Task BeforeAsync(string type, string id, SseWriter writer, CancellationToken ct)
    {
        if (type is "agent.message" or "agent.thinking")
        {
            await WriteAsync(writer, frame => frame.EventId == id, ct);
            Close(id);
        }
        else if (type == "span.model_request_start")
        {
            _requestOpen = true;
        }
        else if (type == "span.model_request_end")
        {
            _requestOpen = false;
            // The request is over: previews still open will never get their event.
            foreach (var open in _open.ToList())
            {
                Close(open);
            }
            _pending.Clear();
        }
    }

    /// <summary>Writes every frame taken and not yet written.</summary>
    public Task WritePendingAsync(SseWriter writer, CancellationToken ct) => WriteAsync(writer, _ => true, ct);

    private async Task WriteAsync(SseWriter writer, Func<DeltaFrame, bool> which, CancellationToken ct)
    {
        var written = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            var frame = _pending[i];
            if (!which(frame))
            {
                continue;
            }
            _pending.RemoveAt(i--);
            if (_closed.Contains(frame.EventId) || (!frame.IsStart && !_open.Contains(frame.EventId)))
            {
                continue; // Late, or a delta whose start this stream never saw (it subscribed mid-event).
            }
            if (frame.IsStart)
            {
                _open.Add(frame.EventId);
                await writer.WriteFrameAsync("event_start", StartJson(frame), ct);
            }
            else
            {
                await writer.WriteFrameAsync("event_delta", DeltaJson(frame), ct);
            }
            written++;
        }
        if (written > 0)
        {
            await writer.FlushAsync(ct);
        }
    }

    private void Close(string id)
    {
        _open.Remove(id);
        if (_closed.Count > 1000)
        {
            _closed.Clear(); // Ids are unique; only the current request's can still have frames in flight.
        }
        _closed.Add(id);
    }

    /// <summary>
    /// Waits for the log to grow (<c>LogGrew</c>), for frames, or for the heartbeat (<c>Woken</c> false).
    /// Pending waits carry over to the next call, so no wake-up is lost or doubled.
    /// </summary>
    public async Task<(bool Woken, bool LogGrew)> WaitAsync(EventSubscription log, TimeSpan heartbeat, TimeProvider time, CancellationToken ct)
    {
        _logWait ??= log.WaitAsync(Timeout.InfiniteTimeSpan, ct);
        _frameWait ??= _frames.Frames.WaitToReadAsync(ct).AsTask();
        using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timeout = Task.Delay(heartbeat, time, beat.Token);
        var first = await Task.WhenAny(_logWait, _frameWait, timeout);
        await beat.CancelAsync();
        var logGrew = false;
        if (_logWait.IsCompleted)
        {
            logGrew = await _logWait;
            _logWait = null;
        }
        if (_frameWait.IsCompleted)
        {
            await _frameWait;
            _frameWait = null;
        }
        return (first != timeout || logGrew, logGrew);
    }

    private static JsonObject StartJson(DeltaFrame frame) => new()
    {
        ["type"] = "event_start",
        ["event"] = new JsonObject { ["type"] = frame.EventType, ["id"] = frame.EventId },
    };

    private static JsonObject DeltaJson(DeltaFrame frame) => new()
    {
        ["type"] = "event_delta",
        ["event_id"] = frame.EventId,
        ["delta"] = new JsonObject
        {
            ["type"] = "content_delta",
            ["index"] = frame.Index,
            ["content"] = new JsonObject { ["type"] = "text", ["text"] = frame.Text },
        },
    };

    public void Dispose() => _frames.Dispose();
}
