using System.Data.Common;
using Hangar.Storage.Sql;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// SQLite is single-host, so lease expiry uses this process's clock (every process on the file
/// shares the host clock). Writes run one after the other (one writer loop per process, BEGIN
/// IMMEDIATE across processes), so no row lock is needed.
/// </summary>
internal sealed class SqliteSessionLeases(
    SqliteDatabase db, SqlSessionLog log, SqlResourceStore resources, LocalEventNotifications notifications, TimeProvider time)
    : SqlSessionLeases(db, log, resources, notifications)
{
    protected override string LockClause => "";

    protected override string Now(DbCommand command)
    {
        if (!command.Parameters.Contains("@now"))
        {
            command.With("@now", db.Time(time.GetUtcNow()));
        }
        return "@now";
    }

    protected override string NowPlus(DbCommand command, TimeSpan ttl)
    {
        command.With("@until", db.Time(time.GetUtcNow() + ttl));
        return "@until";
    }
}
