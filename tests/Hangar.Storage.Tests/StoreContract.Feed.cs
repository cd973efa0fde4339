namespace Hangar.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task AnAppendWakesTheSessionsSubscribers()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var other = await NewSessionAsync(workspace);
        using var subscription = Store.Notifications.Subscribe(session);

        await Store.Events.AppendAsync(workspace, other, [Event()], Ct);
        Assert.False(await subscription.WaitAsync(TimeSpan.FromMilliseconds(200), Ct));
        await Store.Events.AppendAsync(workspace, session, [Event()], Ct);
        Assert.True(await subscription.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task TheFeedDeliversEveryEventOnceWhileWritersAppend()
    {
        var workspace = await NewWorkspaceAsync();
        var sessions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add(await NewSessionAsync(workspace));
        }
        var start = await ReadToEndAsync(FeedCursor.Start);

        var writers = Task.WhenAll(sessions.SelectMany(s => Enumerable.Range(0, 2).Select(async _ =>
        {
            for (var i = 0; i < 40; i++)
            {
                await Store.Events.AppendAsync(workspace, s, [Event(), Event()], Ct);
            }
        })));

        var delivered = new List<EventRecord>();
        var cursor = start;
        while (delivered.Count < 640)
        {
            var page = await Store.Events.ReadFeedAsync(cursor, 50, Ct);
            delivered.AddRange(page.Events);
            cursor = page.Next;
            if (page.Events.Count == 0)
            {
                await Task.Delay(5, Ct);
            }
        }
        await writers;

        Assert.Equal(640, delivered.Select(e => e.Id).Distinct().Count());
        Assert.Empty((await Store.Events.ReadFeedAsync(cursor, 50, Ct)).Events);
        foreach (var session in sessions)
        {
            // Within a session the feed keeps log order.
            Assert.Equal(Enumerable.Range(1, 160).Select(i => (long)i), delivered.Where(e => e.SessionId == session).Select(e => e.Seq));
        }
    }

    /// <summary>Follows the feed to its current end and returns the cursor there.</summary>
    protected async Task<FeedCursor> ReadToEndAsync(FeedCursor cursor)
    {
        while (true)
        {
            var page = await Store.Events.ReadFeedAsync(cursor, 500, Ct);
            if (page.Events.Count == 0)
            {
                return page.Next;
            }
            cursor = page.Next;
        }
    }
}
