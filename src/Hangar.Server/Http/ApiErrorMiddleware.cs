using System.Text.Json;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Http;

/// <summary>
/// The one place errors become HTTP: every response gets a <c>request-id</c>; every failure,
/// including the framework's own 404/405/413, leaves as the API's error envelope.
/// </summary>
public sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = Ids.New(Ids.Request);
        context.Items[RequestIdKey] = requestId;
        context.Response.Headers["request-id"] = requestId;
        try
        {
            await next(context);
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null)
            {
                await WriteAsync(context, FromStatus(context.Response.StatusCode));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to tell it.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var error = Translate(exception);
            if (error is OverloadedException)
            {
                LogTransient(logger, requestId, TransientFailures.Describe(exception));
            }
            else if (error.Status >= 500)
            {
                LogUnhandled(logger, exception, requestId);
            }
            await WriteAsync(context, error);
        }
    }

    public const string RequestIdKey = "hangar.request_id";

    /// <summary>What a client is told to wait before retrying a request that met a passing database failure.</summary>
    public const int TransientRetryAfterSeconds = 2;

    private static ApiException Translate(Exception exception) => exception switch
    {
        ApiException api => api,
        BadHttpRequestException { StatusCode: 413 } =>
            new RequestTooLargeException("The request body is larger than this server accepts."),
        BadHttpRequestException bad => new InvalidRequestException(bad.Message),
        JsonException json => new InvalidRequestException($"The request body is not valid JSON: {json.Message}"),
        DuplicateNameException duplicate => new ConflictException(duplicate.Message),
        // The database is down, restarting or out of connections: the same request will succeed
        // shortly, so say so (529 + retry-after) instead of a 500 that reads like a bug.
        _ when TransientFailures.IsTransient(exception) => new OverloadedException(
            "The server's database is briefly unavailable or overloaded; retry the request shortly.", TransientRetryAfterSeconds),
        _ => new InternalErrorException(),
    };

    private static ApiException FromStatus(int status) => status switch
    {
        404 => new NotFoundException("No such route. Check the method and path against the API reference."),
        405 => new InvalidRequestException("This route does not accept that HTTP method."),
        413 => new RequestTooLargeException("The request body is larger than this server accepts."),
        401 => new AuthenticationException("Authentication failed."),
        _ => new InvalidRequestException($"The request failed with HTTP {status}."),
    };

    /// <summary>Writes <paramref name="error"/> as the API's envelope; also for refusals made outside the pipeline's throw path (the rate limiter).</summary>
    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        var response = context.Response;
        response.Clear();
        response.Headers["request-id"] = (string)context.Items[RequestIdKey]!;
        response.StatusCode = error.Status;
        if (!error.ShouldRetry)
        {
            response.Headers["x-should-retry"] = "false";
        }
        if (error is OverloadedException overloaded)
        {
            // Explicit, so a client that would not retry this status on its own still does.
            response.Headers["x-should-retry"] = "true";
            response.Headers["retry-after"] = overloaded.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (error is RateLimitedException limited)
        {
            limited.WriteHeaders(response);
        }
        else if (error.Status == 429)
        {
            response.Headers["retry-after"] = "1";
        }
        var details = error.ErrorCode is { } code
            ? new ErrorDetails { ErrorCode = code, More = error.MoreDetails }
            : null;
        var envelope = new ErrorEnvelope(
            new ErrorBody(error.ErrorType, error.Message) { Details = details },
            (string)context.Items[RequestIdKey]!);
        response.ContentType = "application/json";
        await response.WriteAsync(Contracts.Serialization.WireJson.Serialize(envelope), context.RequestAborted);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Request {RequestId} met a passing database failure ({Reason}); answered 529 with retry-after. "
        + "If this persists, check the database and its max_connections (docs/operations.md)")]
    private static partial void LogTransient(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error for request {RequestId}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string requestId);

    private sealed class InternalErrorException()
        : ApiException(500, "api_error", "Internal server error. The server log has details under this request id.");
}
