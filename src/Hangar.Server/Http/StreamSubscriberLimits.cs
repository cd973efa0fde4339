using System.Threading.RateLimiting;

namespace Hangar.Server.Http;

/// <summary>
/// Caps open event streams per session and per key (<see cref="RequestLimits.StreamsPerSession"/>,
/// <see cref="RequestLimits.StreamsPerKey"/>): each stream holds a connection, a subscription and a
/// reader, so one key must not be able to open them without bound. Counted in this process.
/// </summary>
public sealed class StreamSubscriberLimits(RequestLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perSession = Concurrency(limits.StreamsPerSession);
    private readonly PartitionedRateLimiter<string> _perKey = Concurrency(limits.StreamsPerKey);

    /// <summary>A slot for one stream, released when disposed; throws 429 when either cap is full.</summary>
    public IDisposable Acquire(string sessionId, string keyHash)
    {
        var session = _perSession.AttemptAcquire(sessionId);
        if (!session.IsAcquired)
        {
            session.Dispose();
            throw Full($"This session already has {limits.StreamsPerSession} open event streams; close one first.", "session_stream_limit");
        }
        var key = _perKey.AttemptAcquire(keyHash);
        if (!key.IsAcquired)
        {
            key.Dispose();
            session.Dispose();
            throw Full($"This key already has {limits.StreamsPerKey} open event streams; close one first.", "key_stream_limit");
        }
        return new Slot(session, key);
    }

    public void Dispose()
    {
        _perSession.Dispose();
        _perKey.Dispose();
    }

    private static RateLimitedException Full(string message, string code) =>
        // A stream ends when its client goes: a few seconds is a fair time to try again.
        new(message, TimeSpan.FromSeconds(5), code);

    private static PartitionedRateLimiter<string> Concurrency(int? limit) =>
        PartitionedRateLimiter.Create<string, string>(partition => limit is { } permits
            ? RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(""));

    private sealed class Slot(RateLimitLease session, RateLimitLease key) : IDisposable
    {
        public void Dispose()
        {
            key.Dispose();
            session.Dispose();
        }
    }
}
