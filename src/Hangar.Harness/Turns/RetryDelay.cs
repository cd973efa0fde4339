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
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, failedAttempt - 1));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        // Half fixed, half random: spreads retries of many sessions without ever waiting ~0.
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
