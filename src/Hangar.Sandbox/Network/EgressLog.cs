using System.Net;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Network;

/// <summary>Egress proxy log lines: every connection and refusal, with session and host, never bodies.</summary>
internal static partial class EgressLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Egress proxy for session {SessionId} listening on {SocketPath} ({Policy})")]
    public static partial void Started(this ILogger logger, string sessionId, string socketPath, string policy);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Egress {Method} {Host}:{Port} via {Address} allowed for session {SessionId}")]
    public static partial void Allowed(this ILogger logger, string sessionId, string method, string host, int port, IPAddress address);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "Egress {Method} {Host}:{Port} refused for session {SessionId}: {Reason}")]
    public static partial void Refused(this ILogger logger, string sessionId, string method, string host, int port, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "Egress {Method} {Host}:{Port} failed for session {SessionId}: {Reason}")]
    public static partial void UpstreamFailed(this ILogger logger, string sessionId, string method, string host, int port, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "Egress request rejected for session {SessionId}: {Status} {Reason}")]
    public static partial void BadRequest(this ILogger logger, string sessionId, int status, string reason);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "Egress connection cap {Limit} reached for session {SessionId}; connection refused with 503")]
    public static partial void CapReached(this ILogger logger, string sessionId, int limit);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Debug,
        Message = "Egress {Host}:{Port} closed for session {SessionId}: {BytesUp} bytes up, {BytesDown} bytes down")]
    public static partial void Closed(this ILogger logger, string sessionId, string host, int port, long bytesUp, long bytesDown);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information,
        Message = "Egress proxy for session {SessionId} stopped")]
    public static partial void Stopped(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Error,
        Message = "Egress connection for session {SessionId} failed unexpectedly")]
    public static partial void ConnectionCrashed(this ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information,
        Message = "Egress CONNECT {Host}:{Port} for session {SessionId} terminated in the proxy to swap credential placeholders")]
    public static partial void Intercepting(this ILogger logger, string sessionId, string host, int port);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning,
        Message = "Egress CONNECT {Host}:{Port} for session {SessionId}: the client did not accept the sandbox CA's certificate (certificate pinning or its own CA store?); nothing was sent")]
    public static partial void ClientRefusedCertificate(this ILogger logger, string sessionId, string host, int port);
}
