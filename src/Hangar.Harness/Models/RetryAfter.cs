using System.Globalization;
using System.Net.Http.Headers;

namespace Hangar.Harness.Models;

/// <summary>Reads a <c>retry-after</c> header: delta seconds or an HTTP date.</summary>
internal static class RetryAfter
{
    public static TimeSpan? From(HttpResponseHeaders headers, TimeProvider? time = null)
    {
        if (headers.RetryAfter is { } value)
        {
            if (value.Delta is { } delta)
            {
                return delta;
            }

            if (value.Date is { } date)
            {
                var wait = date - (time ?? TimeProvider.System).GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        // Some gateways send fractional seconds, which the typed header rejects.
        return headers.TryGetValues("retry-after", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
    }
}
