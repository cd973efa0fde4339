using System.Data.Common;
using Hangar.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode. Reads run concurrently on pooled connections; writes take a
/// process-local gate and BEGIN IMMEDIATE (which, with busy_timeout, also queues behind writers
/// in other processes such as <c>hangar keys create</c>).
/// </summary>
internal sealed class SqliteDatabase(string path) : SqlDatabase
{
    // synchronous=FULL syncs the WAL on every commit: an acknowledged write survives power loss.
    private const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public string ConnectionString { get; } = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public override async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var pragmas = connection.Command(ConnectionPragmas);
            await pragmas.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>WAL is a property of the file, set once before anything else touches it.</summary>
    public async Task EnableWalAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var wal = connection.Command("PRAGMA journal_mode = WAL;");
        await wal.ExecuteNonQueryAsync(ct);
    }

    protected override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        return new Release(_writeGate);
    }

    public override object Time(DateTimeOffset value) => (Truncate(value).UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.UnixEpoch.Ticks + (reader.GetInt64(ordinal) * 10), TimeSpan.Zero);

    public override bool IsDuplicateName(DbException error) =>
        error is SqliteException { SqliteErrorCode: 19 } && error.Message.Contains("resources.unique_name", StringComparison.Ordinal);

    public void ClearPool() => SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
