namespace Hangar.Storage.Postgres;

/// <summary>
/// Which sessions other processes' readers watch, per announcing process, each until its
/// announcement lapses (announcements are repeated well within the lifetime).
/// </summary>
internal sealed class RemoteInterest(TimeSpan lifetime)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, long>> _bySession = new(StringComparer.Ordinal);

    public bool IsWatched(string sessionId)
    {
        lock (_gate)
        {
            if (!_bySession.TryGetValue(sessionId, out var origins))
            {
                return false;
            }
            var now = Environment.TickCount64;
            foreach (var (origin, until) in origins)
            {
                if (until > now)
                {
                    return true;
                }
                origins.Remove(origin);
            }
            _bySession.Remove(sessionId);
            return false;
        }
    }

    public void Add(string origin, IEnumerable<string> sessions)
    {
        var until = Environment.TickCount64 + (long)lifetime.TotalMilliseconds;
        lock (_gate)
        {
            foreach (var session in sessions)
            {
                if (!_bySession.TryGetValue(session, out var origins))
                {
                    _bySession[session] = origins = new(StringComparer.Ordinal);
                }
                origins[origin] = until;
            }
        }
    }

    public void Remove(string origin, string session)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(session, out var origins) && origins.Remove(origin) && origins.Count == 0)
            {
                _bySession.Remove(session);
            }
        }
    }
}
