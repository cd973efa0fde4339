using System.Data.Common;
using Hangar.Storage.Sql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Lease expiry is set and compared with the database's clock (clock_timestamp(), not the
/// caller's), so workers on different hosts agree whatever their own clocks say. A claim also
/// stamps the claimer's presence key (<see cref="PostgresNotificationListener.Presence"/>): once
/// the advisory lock of that key is free, the owner's database session ended (its process died or
/// its connection was cut), and the lease may be taken at once instead of after its TTL. The epoch
/// still fences every write, so an owner that merely lost its connection cannot write afterwards.
/// </summary>
internal sealed partial class PostgresSessionLeases(
    PostgresDatabase db, SqlSessionLog log, SqlResourceStore resources, LocalEventNotifications notifications, Func<int?> presence)
    : SqlSessionLeases(db, log, resources, notifications)
{
    private readonly PostgresDatabase _db = db;
    private readonly LocalEventNotifications _notifications = notifications;

    protected override string LockClause => " FOR UPDATE";

    protected override string Now(DbCommand command) => "clock_timestamp()";

    protected override string NowPlus(DbCommand command, TimeSpan ttl)
    {
        command.With("@ttl", ttl);
        return "(clock_timestamp() + @ttl)";
    }

    /// <remarks>
    /// While this process's presence connection is down the key is NULL: its leases then live by the
    /// TTL alone, never mistaken for a dead owner's.
    /// </remarks>
    protected override string StampPresence(DbCommand command)
    {
        command.With("@presence", presence());
        return ", lease_presence = @presence";
    }

    /// <remarks>
    /// pg_locks lists the advisory locks of live backends only; a two-int4 advisory lock shows as
    /// classid = first key, objid = second, objsubid = 2. Only locks in this database count.
    /// </remarks>
    protected override string? OwnerGone(DbCommand command) =>
        "(lease_presence IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
        + $"AND l.classid = {PostgresNotificationListener.PresenceNamespace}::oid AND l.objid = lease_presence::oid AND l.objsubid = 2 "
        + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))";
}
