namespace Hangar.FakeModel;

/// <summary>An HTTP error reply in Anthropic's shape: <c>{"type":"error","error":{"type":…,"message":…}}</c>.</summary>
public sealed record FakeFault(int Status, int? RetryAfterSeconds, string? Message)
{
    /// <summary>The <c>error.type</c> Anthropic uses for this status.</summary>
    public string ErrorType => Status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

    public string MessageOrDefault => Message ?? ErrorType switch
    {
        "rate_limit_error" => "fake model: rate limited",
        "overloaded_error" => "Overloaded",
        "invalid_request_error" => "fake model: invalid request",
        _ => $"fake model: scripted {Status}",
    };
}
