using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>Exponential backoff with full jitter between model attempts, honouring retry-after.</summary>
public static class RetryDelay
{
    public static TimeSpan For(int failedAttempt, TimeSpan? retryAfter, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (retryAfter is { } after && after > TimeSpan.Zero)
        {
            return after < maxDelay ? after : maxDelay;
        }
        return Backoff.For(failedAttempt, baseDelay, maxDelay);
    }
}
