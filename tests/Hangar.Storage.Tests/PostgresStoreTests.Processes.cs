using Hangar.Storage.Postgres;

namespace Hangar.Storage.Tests;

/// <summary>What only PostgreSQL has: many processes (here, store instances) on one database.</summary>
public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AnAppendInOneProcessWakesSubscribersInAnother()
    {
        await using var other = await OpenStoreAsync();
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        using var subscription = other.Notifications.Subscribe(session);

        await Store.Events.AppendAsync(workspace, session, [Event()], Ct);

        Assert.True(await subscription.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task ManyProcessesCanMigrateAtOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => OpenStoreAsync()));
        foreach (var store in stores)
        {
            await store.MigrateAsync(Ct);
            await store.DisposeAsync();
        }
        Assert.NotEmpty(await NewWorkspaceAsync());
    }

    [Fact]
    public async Task AnEventCommittedAfterALaterPositionIsStillDelivered()
    {
        await using var slowProcess = (PostgresHangarStore)await OpenStoreAsync();
        var workspace = await NewWorkspaceAsync();
        var slowSession = await NewSessionAsync(workspace);
        var fastSession = await NewSessionAsync(workspace);
        var cursor = await ReadToEndAsync(FeedCursor.Start);

        var inserted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slowProcess.BeforeAppendCommit = async (_, ct) =>
        {
            inserted.TrySetResult();
            await release.Task.WaitAsync(ct);
        };
        // The slow append takes the earlier position and holds its transaction open.
        var slow = slowProcess.Events.AppendAsync(workspace, slowSession, [Event()], Ct);
        await inserted.Task.WaitAsync(Ct);
        var fast = await Store.Events.AppendAsync(workspace, fastSession, [Event()], Ct);

        // A reader that followed positions alone would now return the fast event and pass the
        // slow one for good; the feed holds back everything behind the open transaction instead.
        var whileOpen = await Store.Events.ReadFeedAsync(cursor, 100, Ct);
        Assert.Empty(whileOpen.Events);

        release.SetResult();
        var slowEvent = (await slow)[0];
        Assert.True(slowEvent.Position < fast[0].Position);
        var delivered = new List<EventRecord>();
        cursor = whileOpen.Next;
        while (delivered.Count < 2)
        {
            var page = await Store.Events.ReadFeedAsync(cursor, 100, Ct);
            delivered.AddRange(page.Events);
            cursor = page.Next;
        }
        Assert.Empty((await Store.Events.ReadFeedAsync(cursor, 100, Ct)).Events);

        Assert.Equal([slowEvent.Id, fast[0].Id], delivered.Select(e => e.Id));
    }
}
