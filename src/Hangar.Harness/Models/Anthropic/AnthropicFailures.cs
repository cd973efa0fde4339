using Anthropic.Exceptions;

namespace Hangar.Harness.Models.Anthropic;

/// <summary>Translates the SDK's exceptions into <see cref="ModelException"/>s the harness can retry or report.</summary>
internal static class AnthropicFailures
{
    public static ModelException From(Exception e, TimeSpan? retryAfter) => e switch
    {
        AnthropicRateLimitException => new(ModelFailure.RateLimited, Describe("rate limited", e), retryAfter, e),
        AnthropicOverloadedException => new(ModelFailure.Overloaded, Describe("overloaded", e), retryAfter, e),
        AnthropicUnauthorizedException or AnthropicForbiddenException =>
            new(ModelFailure.Authentication, Describe("refused the credentials", e), inner: e),
        AnthropicPaymentRequiredException => new(ModelFailure.Billing, Describe("billing problem", e), inner: e),
        Anthropic5xxException or AnthropicRequestTimeoutException or AnthropicClientClosedRequestException =>
            new(ModelFailure.Transient, Describe("server error", e), retryAfter, e),
        AnthropicApiException api => FromErrorType(ErrorTypeOf(api), e, retryAfter)
            ?? new(ModelFailure.InvalidRequest, Describe($"rejected the request ({(int)api.StatusCode})", e), inner: e),
        // An error event inside an otherwise fine stream (e.g. overloaded_error mid-response).
        AnthropicSseException sse => FromErrorType(ErrorTypeOf(sse), e, retryAfter)
            ?? new(ModelFailure.Transient, Describe("stream error", e), inner: e),
        AnthropicIOException or HttpRequestException or IOException =>
            new(ModelFailure.Transient, $"The connection to the model was lost: {e.Message}", inner: e),
        AnthropicInvalidDataException => new(ModelFailure.Transient, $"The model sent a malformed response: {e.Message}", inner: e),
        _ => new(ModelFailure.Transient, $"The model request failed: {e.Message}", inner: e),
    };

    private static ModelException? FromErrorType(string? type, Exception e, TimeSpan? retryAfter) => type switch
    {
        "rate_limit_error" => new(ModelFailure.RateLimited, Describe("rate limited", e), retryAfter, e),
        "overloaded_error" => new(ModelFailure.Overloaded, Describe("overloaded", e), retryAfter, e),
        "api_error" or "timeout_error" => new(ModelFailure.Transient, Describe("server error", e), retryAfter, e),
        "authentication_error" or "permission_error" =>
            new(ModelFailure.Authentication, Describe("refused the credentials", e), inner: e),
        "billing_error" => new(ModelFailure.Billing, Describe("billing problem", e), inner: e),
        "invalid_request_error" or "not_found_error" or "request_too_large" =>
            new(ModelFailure.InvalidRequest, Describe("rejected the request", e), inner: e),
        _ => null,
    };

    // The raw error.type string: newer types the SDK's enum doesn't know still map.
    private static string? ErrorTypeOf(AnthropicServiceException e)
    {
        try
        {
            return e.Type?.Raw();
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static string Describe(string what, Exception e)
    {
        var detail = e is AnthropicServiceException service && !string.IsNullOrEmpty(service.ApiMessage) ? service.ApiMessage : e.Message;
        return $"Anthropic API {what}: {detail}";
    }
}
