using System.ComponentModel;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hangar.Storage;

/// <summary>
/// The one place that tells a passing infrastructure failure from one that will not go away.
/// Transient: the database is unreachable, restarting, overloaded (too many clients, pool
/// exhausted), dropped the connection, or chose this transaction as a serialization/deadlock
/// victim; SQLite is busy or locked; the host briefly cannot start a process (EAGAIN). Retrying
/// the same work later can succeed, so callers retry (the harness), answer 529 with retry-after
/// (the API) or wait (start-up) instead of reporting a final error. Everything else — bad
/// credentials, a missing database, a constraint violation, a bad package — is not.
/// </summary>
public static class TransientFailures
{
    // SQLite primary result codes (the low byte of an extended code).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    // errno EAGAIN on Linux: fork/clone hit a process or memory limit for a moment.
    private const int TryAgain = 11;

    /// <summary>True when <paramref name="error"/> or any exception inside it is a passing failure.</summary>
    public static bool IsTransient(Exception? error)
    {
        // Walks InnerException and every branch of an AggregateException; bounded against cycles.
        var pending = new Stack<Exception>();
        if (error is not null)
        {
            pending.Push(error);
        }
        for (var seen = 0; pending.Count > 0 && seen < 64; seen++)
        {
            var current = pending.Pop();
            if (Classify(current) is { } verdict)
            {
                return verdict;
            }
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
        return false;
    }

    /// <summary>A short reason for logs and messages: the SQLSTATE or error code and the message.</summary>
    public static string Describe(Exception error) => error switch
    {
        PostgresException pg => $"{pg.SqlState} {pg.MessageText}",
        SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode}: {sqlite.Message}",
        _ when error.InnerException is { } inner && error.Message.Length < 120 => $"{error.Message} ({inner.Message})",
        _ => error.Message,
    };

    /// <summary>True or false when this exception alone decides; null to look inside it.</summary>
    private static bool? Classify(Exception error) => error switch
    {
        // A server answer: its SQLSTATE decides, whatever Npgsql wraps around it.
        PostgresException pg => IsTransientState(pg.SqlState),
        // A client-side failure (connect refused, connection reset, pool exhausted, timeout):
        // Npgsql marks those transient itself. Others (bad connection string) may wrap a cause.
        NpgsqlException { IsTransient: true } => true,
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked,
        SocketException socket => IsTransientSocketError(socket.SocketErrorCode),
        // Cancellation is somebody's decision, not a failure, whatever timeout it carries inside.
        OperationCanceledException => false,
        // A regex that ran too long fails the same way every time.
        System.Text.RegularExpressions.RegexMatchTimeoutException => false,
        TimeoutException => true,
        Win32Exception { NativeErrorCode: TryAgain } => true,
        _ => null,
    };

    /// <summary>
    /// The SQLSTATEs that pass: connection exceptions (class 08), insufficient resources (class 53,
    /// e.g. 53300 too_many_connections), the server shutting down or starting up (57P01–57P03),
    /// and a transaction chosen as a serialization or deadlock victim (40001, 40P01), which the
    /// same work succeeds at when tried again. 28P01 (bad password), 3D000 (no such database),
    /// constraint violations and syntax errors are not.
    /// </summary>
    public static bool IsTransientState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
        || sqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    private static bool IsTransientSocketError(SocketError code) => code is
        SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.ConnectionAborted
        or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable
        or SocketError.NetworkDown or SocketError.NetworkReset or SocketError.TryAgain or SocketError.Shutdown;
}
