using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hangar.Storage;

/// <summary>
/// The database's side of "one result per tool call" (migration 0006_tool_result_guard): a unique
/// index on (session, tool_use_id) over <c>user.tool_result</c> events (and on custom_tool_use_id
/// over <c>user.custom_tool_result</c>). An append that would add a second result fails as a whole;
/// this tells that failure from any other, so the API can answer 400 instead of 500.
/// </summary>
public static class ToolResultGuard
{
    private const string IndexPrefix = "session_events_one_";

    // SQLITE_CONSTRAINT (primary result code); the extended code is SQLITE_CONSTRAINT_UNIQUE.
    private const int SqliteConstraint = 19;

    /// <summary>True when <paramref name="error"/> (or an exception inside it) is a second result for a call.</summary>
    public static bool IsSecondResult(Exception? error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg
                    when pg.ConstraintName?.StartsWith(IndexPrefix, StringComparison.Ordinal) == true:
                    return true;
                case SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
                    when sqlite.Message.Contains(IndexPrefix, StringComparison.Ordinal):
                    return true;
            }
        }
        return false;
    }
}
