namespace Hangar.Storage.Deltas;

/// <summary>The in-process fan-out: SQLite (one process) and every process's local readers on PostgreSQL.</summary>
public sealed class LocalDeltaBus : IDeltaBus
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DeltaSubscription>> _bySession = new(StringComparer.Ordinal);

    /// <summary>Called with a session id when its first local reader arrives (true) or its last leaves (false).</summary>
    internal Action<string, bool>? WatchChanged { get; set; }

    public bool IsWatched(string sessionId)
    {
        lock (_gate)
        {
            return _bySession.ContainsKey(sessionId);
        }
    }

    /// <summary>The sessions with local readers.</summary>
    internal List<string> Watched()
    {
        lock (_gate)
        {
            return [.. _bySession.Keys];
        }
    }

    public void Publish(string sessionId, DeltaFrame frame)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(sessionId, out var subscribers))
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Deliver(frame);
                }
            }
        }
    }

    public Task FlushAsync(string sessionId, CancellationToken ct) => Task.CompletedTask;

    public DeltaSubscription Subscribe(string sessionId)
    {
        var subscription = new DeltaSubscription(sessionId, Remove);
        bool first;
        lock (_gate)
        {
            first = !_bySession.TryGetValue(sessionId, out var subscribers);
            if (first)
            {
                _bySession[sessionId] = subscribers = [];
            }
            subscribers!.Add(subscription);
        }
        if (first)
        {
            WatchChanged?.Invoke(sessionId, true);
        }
        return subscription;
    }

    private void Remove(DeltaSubscription subscription)
    {
        bool last;
        lock (_gate)
        {
            last = _bySession.TryGetValue(subscription.SessionId, out var subscribers)
                && subscribers.Remove(subscription) && subscribers.Count == 0;
            if (last)
            {
                _bySession.Remove(subscription.SessionId);
            }
        }
        if (last)
        {
            WatchChanged?.Invoke(subscription.SessionId, false);
        }
    }
}
