using System.Data.Common;
using Hangar.Storage.Sql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Lease expiry is set and compared with the database's clock (clock_timestamp(), not the
/// caller's), so workers on different hosts agree whatever their own clocks say.
/// </summary>
internal sealed class PostgresSessionLeases(
    PostgresDatabase db, SqlSessionLog log, SqlResourceStore resources, LocalEventNotifications notifications)
    : SqlSessionLeases(db, log, resources, notifications)
{
    protected override string LockClause => " FOR UPDATE";

    protected override string Now(DbCommand command) => "clock_timestamp()";

    protected override string NowPlus(DbCommand command, TimeSpan ttl)
    {
        command.With("@ttl", ttl);
        return "(clock_timestamp() + @ttl)";
    }
}
