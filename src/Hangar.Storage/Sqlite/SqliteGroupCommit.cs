using System.Diagnostics;
using System.Threading.Channels;
using Hangar.Storage.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// Group commit. SQLite has one writer at a time and each durable COMMIT costs a WAL fsync plus
/// a transaction's fixed overhead, so concurrent writes queue here and one loop runs every write
/// waiting (up to a cap) in a single BEGIN IMMEDIATE transaction, each under its own SAVEPOINT,
/// then COMMITs once. A write that throws or asks for a rollback is rolled back to its savepoint
/// and gets its own outcome; the others are unaffected. No caller sees success before the COMMIT
/// returned: if it fails, every write of the group fails with it.
/// </summary>
/// <remarks>
/// The loop keeps one long-lived connection (pragmas set once) and opens a new one after any
/// failure of the transaction itself. BEGIN IMMEDIATE with busy_timeout still queues the group
/// behind writers in other processes (<c>hangar keys create</c>). A work runs while the group's
/// transaction is open, so it must only touch the database through its scope: awaiting anything
/// else (another write above all) would stall, or deadlock, every writer of the process.
/// </remarks>
internal sealed class SqliteGroupCommit : IAsyncDisposable
{
    /// <summary>Writes sharing one commit at most.</summary>
    internal const int MaxGroupWrites = 256;

    /// <summary>
    /// Writes arriving once a group has run this long wait for the next one, so the first
    /// write's wait for its commit stays bounded whatever the size of the others (which this
    /// loop cannot know: time stands in for their number of events).
    /// </summary>
    internal static readonly TimeSpan DefaultMaxGroupTime = TimeSpan.FromMilliseconds(20);

    private const string Savepoint = "write";

    /// <summary>The group commit whose loop the current code runs on, so a work cannot wait for another write.</summary>
    private static readonly AsyncLocal<SqliteGroupCommit?> RunningLoop = new();

    private readonly Channel<QueuedWrite> _queue =
        Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<SqliteConnection> _open;
    private readonly TimeSpan _maxGroupTime;
    private readonly Task _loop;
    private SqliteConnection? _connection;
    private long _commits;

    /// <param name="open">Opens the writer connection, pragmas set.</param>
    /// <param name="maxGroupTime">How long one group may run before later writes wait for the next; <see cref="DefaultMaxGroupTime"/> unless set.</param>
    public SqliteGroupCommit(Func<SqliteConnection> open, TimeSpan? maxGroupTime = null)
    {
        _open = open;
        _maxGroupTime = maxGroupTime ?? DefaultMaxGroupTime;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Groups committed so far (tests check that writes really share a commit).</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    public Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(ct);
        }
        if (RunningLoop.Value == this)
        {
            // It would wait for the group its caller is part of: every writer would hang.
            return Task.FromException<T>(new InvalidOperationException("A write cannot start another write; use the scope it was given."));
        }
        var write = new QueuedWrite<T>(work, ct);
        return _queue.Writer.TryWrite(write)
            ? write.Completion
            : Task.FromException<T>(new ObjectDisposedException(nameof(SqliteGroupCommit)));
    }

    /// <summary>Runs what is already queued, then closes the writer connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        RunningLoop.Value = this;
        while (await _queue.Reader.WaitToReadAsync())
        {
            try
            {
                await CommitGroupAsync();
            }
            catch (Exception error)
            {
                // CommitGroupAsync settles every write it took; this only keeps the loop alive.
                Trace.TraceError($"SQLite group commit: {error}");
                DropConnection();
            }
        }
        DropConnection();
    }

    private async Task CommitGroupAsync()
    {
        SqliteConnection connection;
        SqliteTransaction transaction;
        try
        {
            connection = _connection ??= _open();
            transaction = connection.BeginTransaction(deferred: false);
        }
        catch (Exception error)
        {
            // Another process held the write lock past busy_timeout, or the file is unusable:
            // the writes waiting now fail, as each would have on its own.
            DropConnection();
            FailWaiting(error);
            return;
        }

        var group = new List<QueuedWrite>();
        try
        {
            await RunGroupAsync(connection, transaction, group);
            if (group.Count == 0)
            {
                transaction.Rollback();
                return;
            }
            transaction.Commit();
        }
        catch (Exception error)
        {
            DropConnection();
            foreach (var write in group)
            {
                write.Fail(error);
            }
            return;
        }
        Interlocked.Increment(ref _commits);
        foreach (var write in group)
        {
            write.Complete();
        }
    }

    /// <summary>Runs waiting writes one after the other, each under its savepoint, until the queue is empty or a cap is hit.</summary>
    private async Task RunGroupAsync(SqliteConnection connection, SqliteTransaction transaction, List<QueuedWrite> group)
    {
        var started = Stopwatch.GetTimestamp();
        while (group.Count < MaxGroupWrites && Stopwatch.GetElapsedTime(started) < _maxGroupTime
            && _queue.Reader.TryRead(out var write))
        {
            if (!write.TryStart())
            {
                continue; // Its caller was cancelled before it started: dropped from the group.
            }
            group.Add(write);
            transaction.Save(Savepoint);
            if (!await write.RunAsync(new WriteScope(connection, transaction)))
            {
                ThrowIfTransactionAborted(connection, write);
                transaction.Rollback(Savepoint);
            }
            transaction.Release(Savepoint);
        }
    }

    /// <summary>
    /// Most errors undo one statement only, but some (I/O, disk full, out of memory) make
    /// SQLite roll back the whole transaction: then nothing of the group can commit.
    /// </summary>
    private static void ThrowIfTransactionAborted(SqliteConnection connection, QueuedWrite write)
    {
        if (raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            throw new InvalidOperationException(
                "A write failed in a way that rolled back the transaction it shared with others; none of them was committed.",
                write.Error);
        }
    }

    private void FailWaiting(Exception error)
    {
        for (var taken = 0; taken < MaxGroupWrites && _queue.Reader.TryRead(out var write); taken++)
        {
            if (write.TryStart())
            {
                write.Fail(error);
            }
        }
    }

    /// <summary>Closes the writer connection (rolling back whatever it had open); the next group opens a fresh one.</summary>
    private void DropConnection()
    {
        var connection = _connection;
        _connection = null;
        try
        {
            connection?.Dispose();
        }
        catch (Exception error)
        {
            Trace.TraceError($"SQLite group commit: closing the writer connection failed: {error}");
        }
    }
}
