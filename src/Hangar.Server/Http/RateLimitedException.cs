using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// 429 <c>rate_limit_error</c> that says when to come back: written with <c>retry-after</c> (whole
/// seconds, rounded up, at least 1) and <c>retry-after-ms</c>, which the SDKs honour when they retry.
/// A quota (not a rate) names itself in <c>details.error_code</c>.
/// </summary>
public sealed class RateLimitedException(string message, TimeSpan retryAfter, string? errorCode = null)
    : ApiException(429, "rate_limit_error", message, errorCode)
{
    public TimeSpan RetryAfter { get; } = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;

    public void WriteHeaders(HttpResponse response)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        response.Headers["retry-after"] = Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(culture);
        response.Headers["retry-after-ms"] = Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalMilliseconds)).ToString(culture);
    }
}
