using System.Data.Common;
using Hangar.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode. Reads run concurrently on pooled connections; writes go through
/// <see cref="SqliteGroupCommit"/>: one writer connection, many writes per BEGIN IMMEDIATE
/// transaction (which, with busy_timeout, also queues behind writers in other processes such
/// as <c>hangar keys create</c>).
/// </summary>
internal sealed class SqliteDatabase : SqlDatabase, IAsyncDisposable
{
    // synchronous=FULL syncs the WAL on every commit: an acknowledged write survives power loss.
    private const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";

    private readonly SqliteGroupCommit _writer;

    /// <param name="maxGroupTime">The group commit's time cap (tests that count commits lift it: on a loaded machine 20 ms can split a group).</param>
    public SqliteDatabase(string path, TimeSpan? maxGroupTime = null)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        ConnectionString = builder.ToString();
        // The writer's own connection lives as long as this database, outside the readers' pool.
        builder.Pooling = false;
        var writerConnectionString = builder.ToString();
        _writer = new SqliteGroupCommit(() => Open(writerConnectionString), maxGroupTime);
    }

    public string ConnectionString { get; }

    /// <summary>Groups committed so far.</summary>
    internal long GroupCommits => _writer.Commits;

    // Microsoft.Data.Sqlite opens and runs statements synchronously even behind its async API.
    public override Task<DbConnection> OpenAsync(CancellationToken ct) =>
        ct.IsCancellationRequested ? Task.FromCanceled<DbConnection>(ct) : Task.FromResult<DbConnection>(Open(ConnectionString));

    /// <summary>WAL is a property of the file, set once before anything else touches it.</summary>
    public async Task EnableWalAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var wal = connection.Command("PRAGMA journal_mode = WAL;");
        await wal.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Queued for the next group commit; completes once that group is committed.</summary>
    public override Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, CancellationToken ct) => _writer.WriteAsync(work, ct);

    /// <summary>Opens a connection (the readers' pooled one, or the writer's own) with the pragmas every connection needs.</summary>
    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.Command(ConnectionPragmas);
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override object Time(DateTimeOffset value) => (Truncate(value).UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.UnixEpoch.Ticks + (reader.GetInt64(ordinal) * 10), TimeSpan.Zero);

    public override bool IsDuplicateName(DbException error) =>
        error is SqliteException { SqliteErrorCode: 19 } && error.Message.Contains("resources.unique_name", StringComparison.Ordinal);

    /// <summary>Commits the writes still queued, closes the writer connection and the idle readers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
    }
}
