using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Workers;

/// <summary>The harness's structured log lines.</summary>
internal static partial class HarnessLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Worker pool {Owner} started with {Count} workers and {Headroom} more for takeovers")]
    public static partial void PoolStarted(ILogger logger, string owner, int count, int headroom);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claimed session {SessionId} (epoch {Epoch})")]
    public static partial void Claimed(ILogger logger, string sessionId, long epoch);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} settled: {Step}")]
    public static partial void Settled(ILogger logger, string sessionId, string step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lost the lease on session {SessionId} (epoch {Epoch}); abandoning it to its new owner")]
    public static partial void LeaseLost(ILogger logger, string sessionId, long epoch);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId} failed in the harness; it stays claimable and will be retried")]
    public static partial void SessionFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the database is unavailable or overloaded ({Reason}); "
        + "try {Failures} failed, retrying in {DelayMs:0} ms while the lease is held. If this persists, check the database and "
        + "its max_connections (docs/operations.md)")]
    public static partial void StoreUnavailable(ILogger logger, string sessionId, string reason, int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker loop error; retrying shortly")]
    public static partial void LoopFailed(ILogger logger, Exception exception);
}
