using Hangar.Storage.Sql;
using Hangar.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hangar.Storage.Tests;

/// <summary>
/// The group commit underneath every SQLite write, driven directly with hand-written works: a
/// group is one transaction, each work has its own savepoint, and only the COMMIT acknowledges.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hangar-group-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private SqliteDatabase _db = null!;

    private CancellationToken Ct => _timeout.Token;

    private string FilePath => Path.Combine(_directory, "group.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // The time cap splits groups on a loaded machine; these tests count commits, so they lift it.
        _db = new SqliteDatabase(FilePath, maxGroupTime: TimeSpan.FromMinutes(1));
        await _db.EnableWalAsync(Ct);
        await _db.WriteAsync(scope => ExecuteAsync(scope,
            "CREATE TABLE parents (id INTEGER PRIMARY KEY); "
            + "CREATE TABLE items (v TEXT NOT NULL, parent INTEGER REFERENCES parents (id))"), Ct);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
        _timeout.Dispose();
    }

    [Fact]
    public async Task AWorkThatThrowsOrAsksForARollbackIsUndoneAloneAndGetsItsOwnOutcome()
    {
        var commitsBefore = _db.GroupCommits;
        Task<int> kept, rolledBack, thrown, alsoKept;
        using (await HoldWriteLockAsync())
        {
            kept = _db.WriteAsync(scope => InsertAsync(scope, "a", 1), Ct);
            rolledBack = _db.WriteAsync(async scope =>
            {
                await InsertAsync(scope, "b", 0);
                scope.Rollback();
                return 2;
            }, Ct);
            thrown = _db.WriteAsync<int>(async scope =>
            {
                await InsertAsync(scope, "c", 0);
                throw new InvalidOperationException("boom");
            }, Ct);
            alsoKept = _db.WriteAsync(scope => InsertAsync(scope, "d", 4), Ct);
        }

        Assert.Equal(1, await kept);
        Assert.Equal(2, await rolledBack);
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => thrown)).Message);
        Assert.Equal(4, await alsoKept);
        Assert.Equal(1, _db.GroupCommits - commitsBefore);
        Assert.Equal(["a", "d"], await ValuesAsync());
    }

    [Fact]
    public async Task AFailedCommitFailsEveryWriteOfItsGroupAndTheNextGroupCommits()
    {
        Task<int> first, violating, last;
        using (await HoldWriteLockAsync())
        {
            first = _db.WriteAsync(scope => InsertAsync(scope, "a", 1), Ct);
            // A deferred foreign key is only checked by COMMIT, which then fails for the whole group.
            violating = _db.WriteAsync(async scope =>
            {
                await ExecuteAsync(scope, "PRAGMA defer_foreign_keys = ON");
                await using var orphan = scope.Command("INSERT INTO items (v, parent) VALUES ('orphan', 42)");
                return await orphan.ExecuteNonQueryAsync(Ct);
            }, Ct);
            last = _db.WriteAsync(scope => InsertAsync(scope, "c", 3), Ct);
        }

        foreach (var write in new[] { first, violating, last })
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => write);
            Assert.Contains("FOREIGN KEY", error.Message, StringComparison.Ordinal);
        }
        Assert.Empty(await ValuesAsync());
        Assert.Equal(5, await _db.WriteAsync(scope => InsertAsync(scope, "e", 5), Ct));
        Assert.Equal(["e"], await ValuesAsync());
    }

    [Fact]
    public async Task AWorkThatStartsAnotherWriteFailsInsteadOfHangingEveryWriter()
    {
        var nested = _db.WriteAsync(async scope =>
        {
            await InsertAsync(scope, "outer", 0);
            return await _db.WriteAsync(inner => InsertAsync(inner, "inner", 1), Ct);
        }, Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => nested).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, await _db.WriteAsync(scope => InsertAsync(scope, "after", 2), Ct));
        Assert.Equal(["after"], await ValuesAsync());
    }

    [Fact]
    public async Task DisposingCommitsWhatIsQueuedThenRefusesNewWrites()
    {
        var queued = Enumerable.Range(0, 20).Select(i => _db.WriteAsync(scope => InsertAsync(scope, $"v{i}", i), Ct)).ToList();

        await _db.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 20), await Task.WhenAll(queued));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _db.WriteAsync(scope => InsertAsync(scope, "late", 0), Ct));
        _db = new SqliteDatabase(FilePath);
        Assert.Equal(20, (await ValuesAsync()).Count);
    }

    private async Task<int> InsertAsync(WriteScope scope, string value, int result)
    {
        await using var insert = scope.Command("INSERT INTO items (v) VALUES (@v)");
        await insert.With("@v", value).ExecuteNonQueryAsync(Ct);
        return result;
    }

    private async Task<int> ExecuteAsync(WriteScope scope, string sql)
    {
        await using var command = scope.Command(sql);
        return await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<List<string>> ValuesAsync()
    {
        await using var connection = await _db.OpenAsync(Ct);
        await using var select = connection.Command("SELECT v FROM items ORDER BY rowid");
        await using var reader = await select.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    /// <summary>The write lock held as another process would, released on dispose; writes queue meanwhile.</summary>
    private async Task<IDisposable> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var begin = connection.Command("BEGIN IMMEDIATE");
        await begin.ExecuteNonQueryAsync(Ct);
        return connection;
    }
}
