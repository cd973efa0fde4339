using System.Data.Common;
using Hangar.Storage.Sql;
using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>PostgreSQL through one NpgsqlDataSource; writers serialize on row locks, not in-process.</summary>
internal sealed class PostgresDatabase(NpgsqlDataSource source) : SqlDatabase
{
    public NpgsqlDataSource Source => source;

    public override async Task<DbConnection> OpenAsync(CancellationToken ct) => await source.OpenConnectionAsync(ct);

    public override object Time(DateTimeOffset value) => Truncate(value).UtcDateTime;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    public override bool IsDuplicateName(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "resources_unique_name" };
}
