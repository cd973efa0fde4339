using Hangar.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hangar.Storage.Tests;

/// <summary>
/// SQLite commits concurrent writes in groups (one transaction and one fsync for many writes):
/// nothing may be lost, and a write that fails inside a group must fail alone.
/// </summary>
public sealed partial class SqliteStoreTests
{
    private long GroupCommits => ((SqliteHangarStore)Store).Database.GroupCommits;

    [Fact]
    public async Task ManyConcurrentAppendersShareCommitsAndLoseNothing()
    {
        var workspace = await NewWorkspaceAsync();
        var sessions = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            sessions.Add(await NewSessionAsync(workspace));
        }
        var commitsBefore = GroupCommits;

        // 40 sessions × 3 writers × 10 appends of 1 or 2 events: 1,800 events, 1,200 appends in flight from 120 tasks.
        var returned = (await Task.WhenAll(sessions.SelectMany(s => Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var mine = new List<EventRecord>();
            for (var i = 0; i < 10; i++)
            {
                mine.AddRange(await Store.Events.AppendAsync(workspace, s, i % 2 == 0 ? [Event()] : [Event(), Event()], Ct));
            }
            return mine;
        }, Ct))))).SelectMany(e => e).ToList();

        var commits = GroupCommits - commitsBefore;
        Output.WriteLine($"1200 appends in {commits} commits");
        Assert.True(commits < 1200 / 2, $"1200 concurrent appends took {commits} commits");
        Assert.Equal(1800, returned.Count);
        Assert.Equal(1800, returned.Select(e => e.Position).Distinct().Count());
        foreach (var session in sessions)
        {
            var stored = await Store.Events.ReadAsync(session, 0, 100, Ct);
            Assert.Equal(Enumerable.Range(1, 45).Select(i => (long)i), stored.Select(e => e.Seq));
            Assert.Equal(returned.Where(e => e.SessionId == session).OrderBy(e => e.Seq), stored);
        }
    }

    [Fact]
    public async Task WritesThatFailInAGroupFailAloneWhileTheOthersCommit()
    {
        var workspace = await NewWorkspaceAsync();
        var sessions = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sessions.Add(await NewSessionAsync(workspace));
        }
        var existing = await Store.Events.AppendAsync(workspace, sessions[0], [Event()], Ct);
        var stale = await Store.Leases.TryAcquireAsync(sessions[1], "a", TimeSpan.FromMinutes(1), Ct);
        await Store.Leases.ReleaseAsync(stale!, Ct);
        var current = await Store.Leases.TryAcquireAsync(sessions[1], "b", TimeSpan.FromMinutes(1), Ct);
        var commitsBefore = GroupCommits;

        // Another process holds the write lock, so every write below queues into one group.
        Task<IReadOnlyList<EventRecord>>[] good;
        Task missing, fenced, duplicate;
        Task<IReadOnlyList<EventRecord>> fencedCurrent;
        using (var otherProcess = await HoldWriteLockAsync())
        {
            good = [.. sessions.Select(s => Store.Events.AppendAsync(workspace, s, [Event(), Event()], Ct))];
            missing = Store.Events.AppendAsync(workspace, "sesn_missing", [Event()], Ct);
            fenced = Store.Leases.AppendFencedAsync(stale!, new FencedWrite([Event("agent.message")]), DateTimeOffset.UtcNow, Ct);
            fencedCurrent = Store.Leases.AppendFencedAsync(current!, new FencedWrite([Event("agent.message")]), DateTimeOffset.UtcNow, Ct);
            duplicate = Store.Events.AppendAsync(workspace, sessions[2], [Event(), Event() with { Id = existing[0].Id }], Ct);
            await Task.Delay(200, Ct);
            Assert.All(good, t => Assert.False(t.IsCompleted)); // Nothing is acknowledged before it is committed.
        }

        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing);
        await Assert.ThrowsAsync<LeaseLostException>(() => fenced);
        await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal(1, GroupCommits - commitsBefore);
        Assert.Equal([2L, 3L], (await good[0]).Select(e => e.Seq));
        Assert.Equal([1L, 2L, 3L], (await Store.Events.ReadAsync(sessions[0], 0, 10, Ct)).Select(e => e.Seq));
        // Session 1: two plain events, then the current owner's fenced one; nothing from the stale owner.
        Assert.Equal(3, Assert.Single(await fencedCurrent).Seq);
        Assert.Equal(["user.message", "user.message", "agent.message"], (await Store.Events.ReadAsync(sessions[1], 0, 10, Ct)).Select(e => e.Type));
        foreach (var session in sessions.Skip(2))
        {
            Assert.Equal([1L, 2L], (await Store.Events.ReadAsync(session, 0, 10, Ct)).Select(e => e.Seq));
        }
    }

    [Fact]
    public async Task ACallerCancelledWhileQueuedIsDroppedAndTheOthersCommit()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        using var cancel = new CancellationTokenSource();

        Task<IReadOnlyList<EventRecord>> before, dropped, after;
        using (var otherProcess = await HoldWriteLockAsync())
        {
            before = Store.Events.AppendAsync(workspace, session, [Event("user.message")], Ct);
            dropped = Store.Events.AppendAsync(workspace, session, [Event("user.interrupt")], cancel.Token);
            after = Store.Events.AppendAsync(workspace, session, [Event("agent.message")], Ct);
            await cancel.CancelAsync();
            // The cancelled caller stops waiting at once, though the writes ahead of it are still stuck.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
            Assert.False(before.IsCompleted);
        }

        Assert.Equal(1, Assert.Single(await before).Seq);
        Assert.Equal(2, Assert.Single(await after).Seq);
        Assert.Equal(["user.message", "agent.message"], (await Store.Events.ReadAsync(session, 0, 10, Ct)).Select(e => e.Type));
    }

    /// <summary>A write lock held like another process would (e.g. <c>hangar keys create</c>), released on dispose.</summary>
    private async Task<IDisposable> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_directory, SqliteHangarStore.FileName),
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(Ct);
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync(Ct);
        return connection;
    }
}
