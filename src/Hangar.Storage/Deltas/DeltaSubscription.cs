using System.Threading.Channels;

namespace Hangar.Storage.Deltas;

/// <summary>
/// A reader's registration for one session's preview frames: a bounded queue, so a slow client
/// never holds memory or slows the harness. When the queue is full a frame is dropped, and so is
/// every later frame of that event: the reader gets a prefix of the text, never a text with a hole.
/// </summary>
public sealed class DeltaSubscription : IDisposable
{
    /// <summary>Frames waiting per reader; at a few words each, far more than a client falls behind by in practice.</summary>
    public const int Capacity = 4096;

    private readonly Channel<DeltaFrame> _frames = Channel.CreateBounded<DeltaFrame>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly HashSet<string> _shed = new(StringComparer.Ordinal);
    private readonly Action<DeltaSubscription> _onDispose;

    internal DeltaSubscription(string sessionId, Action<DeltaSubscription> onDispose)
    {
        SessionId = sessionId;
        _onDispose = onDispose;
    }

    public string SessionId { get; }

    /// <summary>Frames dropped because this reader fell behind.</summary>
    public long Shed { get; private set; }

    public ChannelReader<DeltaFrame> Frames => _frames.Reader;

    internal void Deliver(DeltaFrame frame)
    {
        lock (_shed)
        {
            if (_shed.Contains(frame.EventId) || !_frames.Writer.TryWrite(frame))
            {
                _shed.Add(frame.EventId);
                Shed++;
            }
        }
    }

    public void Dispose()
    {
        _frames.Writer.TryComplete();
        _onDispose(this);
    }
}
