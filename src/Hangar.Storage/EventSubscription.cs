using System.Threading.Channels;

namespace Hangar.Storage;

/// <summary>
/// A reader's registration for one session's wake-ups. Signals coalesce into one pending wake-up
/// (a bounded channel of capacity 1), so a slow reader never queues unbounded work; after each
/// wake-up the reader re-reads the log from its last seq, which is what makes delivery exact.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Action<EventSubscription> _onDispose;

    internal EventSubscription(string sessionId, Action<EventSubscription> onDispose)
    {
        SessionId = sessionId;
        _onDispose = onDispose;
    }

    public string SessionId { get; }

    internal void Signal() => _signals.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up or the timeout; returns true when woken.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _signals.Reader.ReadAsync(timer.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _onDispose(this);
}

/// <summary>The in-process fan-out both stores use; PostgreSQL feeds it from LISTEN/NOTIFY too.</summary>
public sealed class LocalEventNotifications : IEventNotifications
{
    /// <summary>The pseudo session id workers subscribe to: signalled whenever a session gains work.</summary>
    public const string WorkChannel = "*work*";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<EventSubscription>> _bySession = new(StringComparer.Ordinal);

    public EventSubscription Subscribe(string sessionId)
    {
        var subscription = new EventSubscription(sessionId, Remove);
        lock (_gate)
        {
            if (!_bySession.TryGetValue(sessionId, out var subscribers))
            {
                _bySession[sessionId] = subscribers = [];
            }
            subscribers.Add(subscription);
        }
        return subscription;
    }

    /// <summary>Wakes every local reader of the session.</summary>
    public void Publish(string sessionId)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(sessionId, out var subscribers))
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Signal();
                }
            }
        }
    }

    /// <summary>Wakes every local reader (after a lost LISTEN connection, when any session may have changed).</summary>
    public void PublishAll()
    {
        lock (_gate)
        {
            foreach (var subscriber in _bySession.Values.SelectMany(s => s))
            {
                subscriber.Signal();
            }
        }
    }

    private void Remove(EventSubscription subscription)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(subscription.SessionId, out var subscribers)
                && subscribers.Remove(subscription) && subscribers.Count == 0)
            {
                _bySession.Remove(subscription.SessionId);
            }
        }
    }
}
