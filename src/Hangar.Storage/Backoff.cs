namespace Hangar.Storage;

/// <summary>Capped exponential backoff with jitter, shared by every retry of a passing failure.</summary>
public static class Backoff
{
    /// <summary>The wait after the <paramref name="failedAttempt"/>th failure (1-based): base·2ⁿ⁻¹, capped, then jittered.</summary>
    public static TimeSpan For(int failedAttempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        // Half fixed, half random: spreads the retries of many sessions or processes without ever waiting ~0.
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
