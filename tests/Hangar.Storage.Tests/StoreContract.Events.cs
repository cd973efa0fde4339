using System.Diagnostics;

namespace Hangar.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task ConcurrentAppendersToOneSessionGetDenseSeqs()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);

        var returned = (await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var mine = new List<EventRecord>();
            for (var i = 0; i < 25; i++)
            {
                mine.AddRange(await Store.Events.AppendAsync(workspace, session, [Event(), Event()], Ct));
            }
            return mine;
        }))).SelectMany(e => e).ToList();

        var stored = await Store.Events.ReadAsync(session, 0, 1000, Ct);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.Equal(400, stored.Select(e => e.Id).Distinct().Count());
        Assert.Equal(stored.OrderBy(e => e.Seq), returned.OrderBy(e => e.Seq));
        Assert.Equal(400L, await Store.Events.GetLastSeqAsync(session, Ct));
    }

    [Fact]
    public async Task ConcurrentAppendersToManySessionsKeepEachLogDense()
    {
        var workspace = await NewWorkspaceAsync();
        var sessions = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            sessions.Add(await NewSessionAsync(workspace));
        }

        await Task.WhenAll(sessions.SelectMany(s => Enumerable.Range(0, 3).Select(async _ =>
        {
            for (var i = 0; i < 10; i++)
            {
                await Store.Events.AppendAsync(workspace, s, [Event()], Ct);
            }
        })));

        foreach (var session in sessions)
        {
            var stored = await Store.Events.ReadAsync(session, 0, 100, Ct);
            Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), stored.Select(e => e.Seq));
        }
    }

    [Fact]
    public async Task AppendToAMissingOrForeignSessionThrows()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Events.AppendAsync(workspace, "sesn_missing", [Event()], Ct));
        var foreign = await NewWorkspaceAsync();
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Events.AppendAsync(foreign, session, [Event()], Ct));
        Assert.Equal(0L, await Store.Events.GetLastSeqAsync(session, Ct));
    }

    [Fact]
    public async Task AppendsAreAllOrNothingAndStoredEventsNeverChange()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var first = await Store.Events.AppendAsync(workspace, session, [Event("user.message"), Event("agent.message")], Ct);

        // The second event reuses an id, so the whole batch must fail.
        var reused = Event() with { Id = first[0].Id };
        await Assert.ThrowsAnyAsync<Exception>(() => Store.Events.AppendAsync(workspace, session, [Event(), reused], Ct));
        await Store.Events.AppendAsync(workspace, session, [Event()], Ct);

        var stored = await Store.Events.ReadAsync(session, 0, 10, Ct);
        Assert.Equal([1L, 2L, 3L], stored.Select(e => e.Seq));
        Assert.Equal(first, stored.Take(2));
    }

    [Fact]
    public async Task MarkProcessedSetsTheTimeOnce()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var appended = await Store.Events.AppendAsync(workspace, session, [Event()], Ct);
        var at = DateTimeOffset.UtcNow;

        Assert.True(await Store.Events.MarkProcessedAsync(session, appended[0].Id, at, Ct));
        Assert.False(await Store.Events.MarkProcessedAsync(session, appended[0].Id, at.AddHours(1), Ct));
        Assert.False(await Store.Events.MarkProcessedAsync(session, "sevt_missing", at, Ct));

        var stored = await Store.Events.ReadAsync(session, 0, 10, Ct);
        Assert.Equal(appended[0] with { ProcessedAt = SqlTruncate(at) }, stored[0]);
    }

    [Fact]
    public async Task ListEventsFiltersAndPages()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var t0 = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.Events.AppendAsync(workspace, session,
            [Event("user.message", t0), Event("agent.message", t0.AddSeconds(1)), Event("user.message", t0.AddSeconds(2)), Event("agent.message"), Event("user.message")], Ct);

        var ascending = await Store.Events.ListAsync(session, new EventQuery(2, AfterSeq: 1), Ct);
        Assert.Equal([2L, 3L], ascending.Items.Select(e => e.Seq));
        Assert.True(ascending.HasMore);
        var descending = await Store.Events.ListAsync(session, new EventQuery(2, Descending: true), Ct);
        Assert.Equal([5L, 4L], descending.Items.Select(e => e.Seq));
        var older = await Store.Events.ListAsync(session, new EventQuery(5, Descending: true) { BeforeSeq = 4 }, Ct);
        Assert.Equal([3L, 2L, 1L], older.Items.Select(e => e.Seq));
        Assert.False(older.HasMore);
        Assert.Equal([1L, 3L, 5L], (await Store.Events.ListAsync(session, new EventQuery(10) { Types = ["user.message"] }, Ct)).Items.Select(e => e.Seq));
        Assert.Equal([2L, 3L], (await Store.Events.ListAsync(session, new EventQuery(10) { ProcessedGt = t0 }, Ct)).Items.Select(e => e.Seq));
        Assert.Equal([1L, 2L], (await Store.Events.ListAsync(session, new EventQuery(10) { ProcessedGte = t0, ProcessedLt = t0.AddSeconds(2) }, Ct)).Items.Select(e => e.Seq));
        Assert.Equal([1L], (await Store.Events.ListAsync(session, new EventQuery(10) { ProcessedLte = t0 }, Ct)).Items.Select(e => e.Seq));
    }

    [Fact]
    public async Task DeletingASessionDeletesItsEventsAndScopedFiles()
    {
        var workspace = await NewWorkspaceAsync();
        var doomed = await NewSessionAsync(workspace);
        var kept = await NewSessionAsync(workspace);
        await Store.Events.AppendAsync(workspace, doomed, [Event(), Event()], Ct);
        await Store.Events.AppendAsync(workspace, kept, [Event()], Ct);
        var doomedFile = FileRecord(workspace, doomed);
        var keptFile = FileRecord(workspace, kept);
        foreach (var file in new[] { doomedFile, keptFile })
        {
            await Store.Resources.InsertAsync(file, Ct);
            await Store.FileContents.PutAsync(new FileContent(workspace, file.Id, [7]), Ct);
        }

        Assert.True(await Store.Resources.DeleteAsync(ResourceKind.Session, workspace, doomed, Ct));

        Assert.Empty(await Store.Events.ReadAsync(doomed, 0, 10, Ct));
        Assert.Null(await Store.Resources.GetAsync(ResourceKind.File, workspace, doomedFile.Id, Ct));
        Assert.Null(await Store.FileContents.GetAsync(workspace, doomedFile.Id, Ct));
        Assert.Single(await Store.Events.ReadAsync(kept, 0, 10, Ct));
        Assert.NotNull(await Store.FileContents.GetAsync(workspace, keptFile.Id, Ct));
        Assert.False(await Store.Resources.DeleteAsync(ResourceKind.Session, workspace, doomed, Ct));
    }

    [Fact]
    public async Task MeasureAppendThroughput()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        const int count = 300;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await Store.Events.AppendAsync(workspace, session, [Event()], Ct);
        }
        var sequential = count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var own = await NewSessionAsync(workspace);
            for (var i = 0; i < count / 8; i++)
            {
                await Store.Events.AppendAsync(workspace, own, [Event()], Ct);
            }
        }));
        var parallel = count / clock.Elapsed.TotalSeconds;
        var line = $"{GetType().Name}: {sequential:F0} appends/s (1 writer, 1 event), {parallel:F0} appends/s (8 writers)";
        Output.WriteLine(line);
        await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "hangar-storage-timings.txt"), line + "\n", Ct);
        Assert.Equal(count, await Store.Events.GetLastSeqAsync(session, Ct));
    }
}
