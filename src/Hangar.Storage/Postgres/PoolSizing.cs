using System.Data.Common;
using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>Applies a process's connection budget to its connection string.</summary>
internal static class PoolSizing
{
    // Both spellings Npgsql accepts for the pool's upper bound (keys are case-insensitive).
    private static readonly string[] MaxPoolSizeKeys = ["Maximum Pool Size", "MaxPoolSize"];

    /// <summary>The connection string with <c>Maximum Pool Size</c> set to <paramref name="poolSize"/>, unless it names one itself.</summary>
    public static string Apply(string connectionString, int poolSize)
    {
        if (poolSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize, "The database pool size must be at least 1.");
        }
        // NpgsqlConnectionStringBuilder reports its default (100) for an unset key, so look at what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (MaxPoolSizeKeys.Any(written.ContainsKey))
        {
            return connectionString;
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = poolSize };
        if (builder.MinPoolSize > poolSize)
        {
            builder.MinPoolSize = poolSize;
        }
        return builder.ConnectionString;
    }
}
