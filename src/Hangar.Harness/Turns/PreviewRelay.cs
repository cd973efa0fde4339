using Hangar.Contracts;
using Hangar.Harness.Models;
using Hangar.Storage.Deltas;

namespace Hangar.Harness.Turns;

/// <summary>
/// Watches one streaming model response and reserves, as each block starts, the event id the block
/// will be logged under (<see cref="ResponseEvents"/> groups blocks the same way: one
/// <c>agent.message</c> per run of text blocks, one <c>agent.thinking</c> per thinking block), so a
/// preview and the event it previews share their id. Previews (<c>event_start</c>, then the text of
/// an <c>agent.message</c> as <c>event_delta</c>s) go to the bus only when a stream watches the
/// session as the event starts; otherwise this only hands out ids.
/// Called on the model stream's thread only; never blocks it.
/// </summary>
public sealed class PreviewRelay(IDeltaBus bus, string sessionId) : IModelStreamObserver
{
    private readonly Dictionary<int, string> _ids = [];
    private readonly Dictionary<int, int> _contentIndex = [];
    private string? _lastType;
    private Message? _message;

    /// <summary>Whether any frame was published (the turn then flushes the bus before logging the response).</summary>
    public bool Published { get; private set; }

    /// <summary>The event id reserved for the block at <paramref name="index"/>, or null (tool use, or none was seen).</summary>
    public string? IdOf(int index) => _ids.GetValueOrDefault(index);

    public void OnBlockStart(int index, string type)
    {
        switch (type)
        {
            case "text":
                if (_lastType != "text" || _message is null)
                {
                    _message = new Message(Ids.New(Ids.Event));
                }
                _ids[index] = _message.Id;
                break;
            case "thinking" or "redacted_thinking":
                var id = Ids.New(Ids.Event);
                _ids[index] = id;
                if (bus.IsWatched(sessionId))
                {
                    Send(DeltaFrame.Start(id, "agent.thinking"));
                }
                break;
        }
        if (type is "text" or "thinking" or "redacted_thinking" or "tool_use")
        {
            _lastType = type; // What ends a run of text blocks, as in ResponseEvents.
        }
    }

    public void OnTextDelta(int index, string text)
    {
        if (text.Length == 0 || _message is null || !_ids.TryGetValue(index, out var id) || id != _message.Id)
        {
            return;
        }
        if (!_contentIndex.TryGetValue(index, out var contentIndex))
        {
            // Only blocks with text become content of the message, so the index counts those.
            _contentIndex[index] = contentIndex = _message.Blocks++;
        }
        if (!_message.Decided)
        {
            // Decided once per message: a stream that subscribes mid-message waits for the next one
            // rather than getting deltas without their event_start.
            _message.Decided = true;
            _message.Live = bus.IsWatched(sessionId);
            if (_message.Live)
            {
                Send(DeltaFrame.Start(id, "agent.message"));
            }
        }
        if (_message.Live)
        {
            Send(DeltaFrame.Delta(id, "agent.message", contentIndex, text));
        }
    }

    private void Send(DeltaFrame frame)
    {
        Published = true;
        bus.Publish(sessionId, frame);
    }

    private sealed class Message(string id)
    {
        public string Id { get; } = id;
        public int Blocks { get; set; }
        public bool Decided { get; set; }
        public bool Live { get; set; }
    }
}
