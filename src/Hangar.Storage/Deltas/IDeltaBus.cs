namespace Hangar.Storage.Deltas;

/// <summary>
/// Live previews of events the harness is still producing (<c>event_start</c>/<c>event_delta</c>
/// frames of streams opened with <c>event_deltas[]</c>). Unlike the session log this is a
/// best-effort side channel: nothing is stored or replayed, frames may be shed under pressure
/// (a subscriber then sees a prefix of an event's text), and publishing never blocks. The harness
/// asks <see cref="IsWatched"/> first, so a session nobody previews costs nothing.
/// In one process it is an in-memory fan-out; on PostgreSQL it also crosses processes (an API
/// process streams what a separate worker process's model is writing).
/// </summary>
public interface IDeltaBus
{
    /// <summary>Whether any stream, in any process, currently wants previews of the session.</summary>
    bool IsWatched(string sessionId);

    /// <summary>Hands a frame to every subscriber of the session. Never blocks; may drop.</summary>
    void Publish(string sessionId, DeltaFrame frame);

    /// <summary>
    /// Waits (briefly, bounded) until frames published so far for the session have left this process,
    /// so they are on their way before the event they preview is appended.
    /// </summary>
    Task FlushAsync(string sessionId, CancellationToken ct);

    /// <summary>Starts receiving the session's frames; dispose to stop.</summary>
    DeltaSubscription Subscribe(string sessionId);
}

/// <summary>
/// One preview frame. <see cref="Text"/> null: the event started (<c>event_start</c>); otherwise
/// more text for content block <see cref="Index"/> of the event (<c>event_delta</c>).
/// </summary>
/// <param name="EventType"><c>agent.message</c> or <c>agent.thinking</c>.</param>
public sealed record DeltaFrame(string EventId, string EventType, int Index, string? Text)
{
    public bool IsStart => Text is null;

    public static DeltaFrame Start(string eventId, string eventType) => new(eventId, eventType, 0, null);

    public static DeltaFrame Delta(string eventId, string eventType, int index, string text) => new(eventId, eventType, index, text);
}
