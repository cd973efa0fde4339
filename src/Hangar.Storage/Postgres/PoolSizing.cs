using System.Data.Common;
using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Applies a process's connection budget to its connection string, and a server-side limit on how long a
/// connection may sit idle inside a transaction: a worker stalled (SIGSTOP, a long pause, a partition) in the
/// middle of a write holds its session row's lock, and every other worker's claim of that session would wait
/// on it until the stall ends. PostgreSQL aborts such a transaction after <see cref="IdleInTransactionTimeout"/>,
/// the lock goes, and the session can be taken over (the stalled worker's write then fails and is fenced).
/// </summary>
internal static class PoolSizing
{
    // Both spellings Npgsql accepts for the pool's upper bound (keys are case-insensitive).
    private static readonly string[] MaxPoolSizeKeys = ["Maximum Pool Size", "MaxPoolSize"];

    /// <summary>Far above any of Hangar's own transactions (milliseconds), near a few lease ttls.</summary>
    public static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The connection string with <c>Maximum Pool Size</c> set to <paramref name="poolSize"/>, unless it names one itself.</summary>
    public static string Apply(string connectionString, int poolSize)
    {
        if (poolSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize, "The database pool size must be at least 1.");
        }
        // NpgsqlConnectionStringBuilder reports its default (100) for an unset key, so look at what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!MaxPoolSizeKeys.Any(written.ContainsKey))
        {
            builder.MaxPoolSize = poolSize;
            if (builder.MinPoolSize > poolSize)
            {
                builder.MinPoolSize = poolSize;
            }
        }
        // The operator's own server options win.
        if (string.IsNullOrEmpty(builder.Options))
        {
            builder.Options = $"-c idle_in_transaction_session_timeout={(int)IdleInTransactionTimeout.TotalMilliseconds}";
        }
        return builder.ConnectionString;
    }
}
