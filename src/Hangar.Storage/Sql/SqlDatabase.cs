using System.Data.Common;

namespace Hangar.Storage.Sql;

/// <summary>
/// What differs between the engines underneath the shared SQL stores: how connections open,
/// how writes are committed, how timestamps are stored and how constraint errors look.
/// </summary>
internal abstract class SqlDatabase
{
    /// <summary>Opens a connection for reads (and for writes inside <see cref="WriteAsync{T}"/>).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction, committed unless the work asks for a
    /// rollback or throws; returns once the write is committed (durable). The work must only
    /// touch the database through its scope: SQLite runs it inside a transaction shared with
    /// other writes (group commit), so awaiting anything else would stall them all.
    /// </summary>
    public virtual async Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var scope = new WriteScope(connection, transaction);
        var result = await work(scope);
        // Once the work is done, commit or roll back regardless of cancellation: an abandoned
        // commit would leave the caller unsure whether the write happened.
        if (scope.RollbackRequested)
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        else
        {
            await transaction.CommitAsync(CancellationToken.None);
        }
        return result;
    }

    /// <summary>The stored form of a timestamp, truncated to whole microseconds on both engines.</summary>
    public abstract object Time(DateTimeOffset value);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>True for a violation of the unique name of resources.</summary>
    public abstract bool IsDuplicateName(DbException error);

    /// <summary>Drops sub-microsecond ticks so a stored timestamp reads back equal on both engines.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    public DateTimeOffset? ReadNullableTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);
}

/// <summary>The connection and transaction of one write, plus the wish to roll it back.</summary>
internal sealed class WriteScope(DbConnection connection, DbTransaction transaction)
{
    public bool RollbackRequested { get; private set; }

    public DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public void Rollback() => RollbackRequested = true;
}
