namespace Hangar.Contracts;

/// <summary>
/// An error the API reports to the client in the envelope
/// <c>{"type":"error","error":{"type":…,"message":…,"details":{"error_code":…}},"request_id":…}</c>.
/// One subclass per <c>error.type</c>; the server maps them to HTTP in one place.
/// </summary>
public abstract class ApiException(int status, string type, string message, string? errorCode = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string ErrorType { get; } = type;
    public string? ErrorCode { get; } = errorCode;

    /// <summary>More of <c>error.details</c> beside <c>error_code</c> (e.g. a 412's <c>current_state</c>).</summary>
    public virtual Dictionary<string, System.Text.Json.JsonElement>? MoreDetails => null;

    /// <summary>Whether a client retry could succeed; false adds <c>x-should-retry: false</c>.</summary>
    public virtual bool ShouldRetry => Status is 408 or 429 or >= 500;
}

public sealed class InvalidRequestException(string message, string? errorCode = null)
    : ApiException(400, "invalid_request_error", message, errorCode);

public sealed class AuthenticationException(string message)
    : ApiException(401, "authentication_error", message);

public sealed class PermissionException(string message, string? errorCode = null)
    : ApiException(403, "permission_error", message, errorCode);

public sealed class NotFoundException(string message, string? errorCode = null)
    : ApiException(404, "not_found_error", message, errorCode);

/// <summary>A conflict that retrying the same request will not fix (stale version, duplicate name, wrong state).</summary>
public sealed class ConflictException(string message, string? errorCode = null)
    : ApiException(409, "conflict_error", message, errorCode)
{
    public override bool ShouldRetry => false;
}

public sealed class RequestTooLargeException(string message)
    : ApiException(413, "request_too_large", message);

public sealed class RateLimitException(string message)
    : ApiException(429, "rate_limit_error", message);

/// <summary>
/// The server is briefly unable to serve (its database is down, restarting or out of connections):
/// 529 <c>overloaded_error</c> (api.md §2), which SDKs retry, honouring <c>retry-after</c>.
/// </summary>
public sealed class OverloadedException(string message, int retryAfterSeconds)
    : ApiException(529, "overloaded_error", message)
{
    /// <summary>Sent as <c>retry-after</c>: when trying again is likely to succeed.</summary>
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
