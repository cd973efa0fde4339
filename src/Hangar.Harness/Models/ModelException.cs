namespace Hangar.Harness.Models;

/// <summary>What went wrong with a model call, as far as retrying is concerned.</summary>
public enum ModelFailure
{
    /// <summary>429: retry after <see cref="ModelException.RetryAfter"/> or with backoff.</summary>
    RateLimited,
    /// <summary>529 / overloaded_error: retry with backoff.</summary>
    Overloaded,
    /// <summary>5xx, a dropped connection or a stream cut mid-response: retry with backoff.</summary>
    Transient,
    /// <summary>400-class problems with the request (too long, invalid): retrying the same request won't help.</summary>
    InvalidRequest,
    /// <summary>401/403: the provider's credentials are wrong or missing.</summary>
    Authentication,
    /// <summary>402 / billing: no credit.</summary>
    Billing,
}

public sealed class ModelException(ModelFailure failure, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ModelFailure Failure { get; } = failure;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsRetryable => Failure is ModelFailure.RateLimited or ModelFailure.Overloaded or ModelFailure.Transient;

    /// <summary>The <c>session.error</c> error type the spec names for this failure.</summary>
    public string SessionErrorType => Failure switch
    {
        ModelFailure.RateLimited => "model_rate_limited_error",
        ModelFailure.Overloaded => "model_overloaded_error",
        ModelFailure.Billing => "billing_error",
        _ => "model_request_failed_error",
    };
}
