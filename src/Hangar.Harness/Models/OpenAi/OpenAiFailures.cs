using System.ClientModel;
using System.Globalization;

namespace Hangar.Harness.Models.OpenAi;

/// <summary>Translates the OpenAI SDK's exceptions into <see cref="ModelException"/>s.</summary>
internal static class OpenAiFailures
{
    public static ModelException From(Exception e) => e switch
    {
        ClientResultException { Status: > 0 } result => FromStatus(result),
        // Status 0: no response at all (connection refused or dropped).
        ClientResultException or HttpRequestException or IOException =>
            new(ModelFailure.Transient, $"The connection to the model was lost: {e.Message}", inner: e),
        _ => new(ModelFailure.Transient, $"The model request failed: {e.Message}", inner: e),
    };

    private static ModelException FromStatus(ClientResultException e)
    {
        var message = $"OpenAI-compatible endpoint answered {e.Status}: {e.Message}";
        return e.Status switch
        {
            429 => new(ModelFailure.RateLimited, message, RetryAfterOf(e), e),
            529 => new(ModelFailure.Overloaded, message, RetryAfterOf(e), e),
            401 or 403 => new(ModelFailure.Authentication, message, inner: e),
            402 => new(ModelFailure.Billing, message, inner: e),
            408 or >= 500 => new(ModelFailure.Transient, message, RetryAfterOf(e), e),
            _ => new(ModelFailure.InvalidRequest, message, inner: e),
        };
    }

    private static TimeSpan? RetryAfterOf(ClientResultException e) =>
        e.GetRawResponse()?.Headers.TryGetValue("retry-after", out var value) == true
        && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
