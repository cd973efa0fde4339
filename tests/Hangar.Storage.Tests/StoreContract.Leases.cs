namespace Hangar.Storage.Tests;

/// <summary>Claiming sessions, fencing a former owner's writes, and the work queue.</summary>
public abstract partial class StoreContract
{
    private static readonly TimeSpan LongTtl = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ShortTtl = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// A lease taken with this ttl expired a minute before it was taken: the row of a session
    /// whose owner died mid-turn, made without waiting for either engine's clock to pass an
    /// expiry (PostgreSQL's is the server's clock_timestamp(), which a test cannot drive).
    /// </summary>
    private static readonly TimeSpan AlreadyExpired = TimeSpan.FromMinutes(-1);

    [Fact]
    public async Task ExactlyOneOfManyConcurrentClaimersGetsTheLease()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Store.Leases.TryAcquireAsync(session, $"worker-{i}", LongTtl, Ct))));

        var winner = Assert.Single(claims, c => c is not null)!;
        Assert.Equal(1, winner.Epoch);
        Assert.Equal(workspace, winner.WorkspaceId);
        Assert.True(winner.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30));
    }

    [Fact]
    public async Task EveryClaimGrowsTheEpochAndAMissingSessionCannotBeClaimed()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);

        var first = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        await Store.Leases.ReleaseAsync(first!, Ct);
        var second = await Store.Leases.TryAcquireAsync(session, "b", LongTtl, Ct);

        Assert.Equal(first!.Epoch + 1, second!.Epoch);
        Assert.Null(await Store.Leases.TryAcquireAsync("sesn_missing", "a", LongTtl, Ct));
    }

    [Fact]
    public async Task AnExpiredLeaseCanBeClaimedByAnother()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var first = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        Assert.Null(await Store.Leases.TryAcquireAsync(session, "b", ShortTtl, Ct));

        // The owner stops renewing (the renewal that makes it expire stands in for the wait).
        Assert.True(await Store.Leases.RenewAsync(first!, AlreadyExpired, Ct));
        var second = await Store.Leases.TryAcquireAsync(session, "b", LongTtl, Ct);

        Assert.Equal(first!.Epoch + 1, second!.Epoch);
        Assert.False(await Store.Leases.RenewAsync(first, LongTtl, Ct));
    }

    [Fact]
    public async Task RenewingKeepsTheLeasePastItsFirstExpiry()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var lease = await Store.Leases.TryAcquireAsync(session, "a", ShortTtl, Ct);

        // However late the renewal comes, nobody claimed the lease meanwhile, so it still renews.
        Assert.True(await Store.Leases.RenewAsync(lease!, LongTtl, Ct));
        await LetLeaseTimePassAsync(ShortTtl * 2);

        Assert.Null(await Store.Leases.TryAcquireAsync(session, "b", ShortTtl, Ct));
        Assert.True(await Store.Leases.RenewAsync(lease!, LongTtl, Ct));
    }

    [Fact]
    public async Task ReleaseLetsAnotherClaimAtOnceAndAStaleReleaseIsANoOp()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var first = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);

        await Store.Leases.ReleaseAsync(first!, Ct);
        var second = await Store.Leases.TryAcquireAsync(session, "b", LongTtl, Ct);
        Assert.NotNull(second);

        await Store.Leases.ReleaseAsync(first!, Ct);
        Assert.Null(await Store.Leases.TryAcquireAsync(session, "c", LongTtl, Ct));
    }

    [Fact]
    public async Task AFencedWriteByAStaleEpochThrowsAndWritesNothing()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var queued = await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        var stale = await Store.Leases.TryAcquireAsync(session, "a", AlreadyExpired, Ct);
        var current = await Store.Leases.TryAcquireAsync(session, "b", LongTtl, Ct);
        Assert.NotNull(current);

        var error = await Assert.ThrowsAsync<LeaseLostException>(() => Store.Leases.AppendFencedAsync(
            stale!, new FencedWrite([Event("session.status_running")]) { UpdateSession = Running, ProcessedEventIds = [queued[0].Id], WorkDone = true }, DateTimeOffset.UtcNow, Ct));

        Assert.Equal(session, error.SessionId);
        var events = await Store.Events.ReadAsync(session, 0, 100, Ct);
        Assert.Equal([queued[0].Id], events.Select(e => e.Id));
        Assert.Null(events[0].ProcessedAt);
        var row = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session, Ct);
        Assert.Equal(1, row!.Revision);
        Assert.Equal("idle", row.Session!.Status);
        await Store.Leases.ReleaseAsync(current!, Ct);
        Assert.Contains(session, await ClaimableAsync());
    }

    [Fact]
    public async Task AFencedWriteAppendsUpdatesTheRowMarksProcessedAndClearsWork()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var queued = await Store.Leases.AppendWithWorkAsync(workspace, session, [Event(), Event()], Ct);
        var lease = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        using var readers = Store.Notifications.Subscribe(session);
        var at = DateTimeOffset.UtcNow;

        var appended = await Store.Leases.AppendFencedAsync(
            lease!, new FencedWrite([Event("session.status_running")]) { UpdateSession = Running, ProcessedEventIds = [queued[0].Id], WorkDone = true }, at, Ct);

        Assert.Equal(3, Assert.Single(appended).Seq);
        Assert.True(await readers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        var events = await Store.Events.ReadAsync(session, 0, 100, Ct);
        Assert.Equal(SqlTime(at), events[0].ProcessedAt);
        Assert.Null(events[1].ProcessedAt);
        var row = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session, Ct);
        Assert.Equal(2, row!.Revision);
        Assert.Equal("""{"status":"running"}""", row.Json);
        var running = await Store.Resources.ListAsync(ResourceKind.Session, workspace, new ResourceQuery(10) { Statuses = ["running"] }, Ct);
        Assert.Equal([session], running.Items.Select(r => r.Id));
        await Store.Leases.ReleaseAsync(lease!, Ct);
        Assert.DoesNotContain(session, await ClaimableAsync());
    }

    [Fact]
    public async Task WorkThatArrivesAfterTheHarnessLastReadKeepsTheSessionClaimable()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var first = await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        var lease = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        var seenThrough = first[^1].Seq;
        // A user message lands after the harness read the log, before it writes "idle".
        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);

        await Store.Leases.AppendFencedAsync(
            lease!, new FencedWrite([Event("session.status_idle")]) { WorkDone = true, WorkSeenThroughSeq = seenThrough }, DateTimeOffset.UtcNow, Ct);
        await Store.Leases.ReleaseAsync(lease!, Ct);

        Assert.Contains(session, await ClaimableAsync());
        var again = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        var all = await Store.Events.ReadAsync(session, 0, 100, Ct);
        await Store.Leases.AppendFencedAsync(
            again!, new FencedWrite([]) { WorkDone = true, WorkSeenThroughSeq = all[^1].Seq }, DateTimeOffset.UtcNow, Ct);
        await Store.Leases.ReleaseAsync(again!, Ct);
        Assert.DoesNotContain(session, await ClaimableAsync());
    }

    [Fact]
    public async Task AnExpiredLeaseNobodyClaimedMayStillWrite()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var lease = await Store.Leases.TryAcquireAsync(session, "a", ShortTtl, Ct);
        await LetLeaseTimePassAsync(ShortTtl * 2);

        await Store.Leases.AppendFencedAsync(lease!, new FencedWrite([Event("agent.message")]), DateTimeOffset.UtcNow, Ct);

        Assert.Equal(1, await Store.Events.GetLastSeqAsync(session, Ct));
    }

    [Fact]
    public async Task SessionsWithWorkAreClaimableOldestFirstUntilLeased()
    {
        var workspace = await NewWorkspaceAsync();
        var older = await NewSessionAsync(workspace);
        var newer = await NewSessionAsync(workspace);
        var idle = await NewSessionAsync(workspace);
        await Store.Leases.AppendWithWorkAsync(workspace, older, [Event()], Ct);
        await LetLeaseTimePassAsync(TimeSpan.FromMilliseconds(10)); // Work ages by the lease clock.
        await Store.Leases.AppendWithWorkAsync(workspace, newer, [Event()], Ct);
        await Store.Leases.AppendWithWorkAsync(workspace, older, [Event()], Ct);
        await Store.Events.AppendAsync(workspace, idle, [Event()], Ct);

        Assert.Equal([older, newer], Mine(await ClaimableAsync()));

        var lease = await Store.Leases.TryAcquireAsync(older, "a", LongTtl, Ct);
        Assert.Equal([newer], Mine(await ClaimableAsync()));
        // The owner died: its lease expires and the session (work still flagged) is claimable again.
        Assert.True(await Store.Leases.RenewAsync(lease!, AlreadyExpired, Ct));
        Assert.Equal([older, newer], Mine(await ClaimableAsync()));

        await Store.Leases.MarkWorkAsync(idle, Ct);
        Assert.Equal([older, newer, idle], Mine(await ClaimableAsync()));

        IEnumerable<string> Mine(IReadOnlyList<string> ids) => ids.Where(id => id == older || id == newer || id == idle);
    }

    [Fact]
    public async Task InterruptedSessionsAreClaimableBeforeOlderNewWork()
    {
        var workspace = await NewWorkspaceAsync();
        var fresh = await NewSessionAsync(workspace);
        var released = await NewSessionAsync(workspace);
        var held = await NewSessionAsync(workspace);
        var interrupted = await NewSessionAsync(workspace);
        var newerInterrupted = await NewSessionAsync(workspace);
        var newerFresh = await NewSessionAsync(workspace);
        // Work arrives in this order, so by work_since alone the interrupted ones would come last but one.
        foreach (var session in new[] { fresh, released, held, interrupted, newerInterrupted, newerFresh })
        {
            await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        }
        // A clean release (the owner stopped, work left) is not an interruption: it queues as new work.
        await Store.Leases.ReleaseAsync((await Store.Leases.TryAcquireAsync(released, "stopped", LongTtl, Ct))!, Ct);
        await Store.Leases.TryAcquireAsync(held, "alive", LongTtl, Ct);
        await Store.Leases.TryAcquireAsync(newerInterrupted, "dead", AlreadyExpired, Ct);
        await Store.Leases.TryAcquireAsync(interrupted, "dead", AlreadyExpired, Ct);

        var claimable = Mine(await Store.Leases.FindClaimableAsync(1000, Ct));

        Assert.Equal(
            [new(interrupted, true), new(newerInterrupted, true), new(fresh, false), new(released, false), new(newerFresh, false)],
            claimable);
        Assert.Equal([interrupted], Mine(await Store.Leases.FindClaimableAsync(1, Ct)).Select(c => c.SessionId));

        List<ClaimableSession> Mine(IReadOnlyList<ClaimableSession> found) =>
            [.. found.Where(c => c.SessionId == fresh || c.SessionId == released || c.SessionId == held
                || c.SessionId == interrupted || c.SessionId == newerInterrupted || c.SessionId == newerFresh)];
    }

    [Fact]
    public async Task InterruptedOnlyFindsAndClaimsOnlySessionsWhoseLeaseExpiredUnreleased()
    {
        var workspace = await NewWorkspaceAsync();
        var fresh = await NewSessionAsync(workspace);
        var released = await NewSessionAsync(workspace);
        var held = await NewSessionAsync(workspace);
        var interrupted = await NewSessionAsync(workspace);
        foreach (var session in new[] { fresh, released, held, interrupted })
        {
            await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        }
        await Store.Leases.ReleaseAsync((await Store.Leases.TryAcquireAsync(released, "stopped", LongTtl, Ct))!, Ct);
        await Store.Leases.TryAcquireAsync(held, "alive", LongTtl, Ct);
        var dead = await Store.Leases.TryAcquireAsync(interrupted, "dead", AlreadyExpired, Ct);

        Assert.Equal([interrupted], await ClaimableAsync(interruptedOnly: true));
        Assert.Null(await Store.Leases.TryAcquireAsync(fresh, "headroom", LongTtl, Ct, interruptedOnly: true));
        Assert.Null(await Store.Leases.TryAcquireAsync(released, "headroom", LongTtl, Ct, interruptedOnly: true));
        Assert.Null(await Store.Leases.TryAcquireAsync(held, "headroom", LongTtl, Ct, interruptedOnly: true));
        var takeover = await Store.Leases.TryAcquireAsync(interrupted, "headroom", LongTtl, Ct, interruptedOnly: true);

        Assert.Equal(dead!.Epoch + 1, takeover!.Epoch);
        Assert.Empty(await ClaimableAsync(interruptedOnly: true));
        // Released with its work left, the session is no longer interrupted but still claimable.
        await Store.Leases.ReleaseAsync(takeover, Ct);
        Assert.Empty(await ClaimableAsync(interruptedOnly: true));
        Assert.Contains(new ClaimableSession(interrupted, false), await Store.Leases.FindClaimableAsync(1000, Ct));
    }

    [Fact]
    public async Task AddingWorkWakesWorkers()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        using var workers = Store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);
        using var readers = Store.Notifications.Subscribe(session);

        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.True(await readers.WaitAsync(TimeSpan.FromSeconds(5), Ct));

        await Store.Leases.MarkWorkAsync(session, Ct);
        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task AppendWithWorkToAMissingSessionThrowsAndFlagsNothing()
    {
        var workspace = await NewWorkspaceAsync();
        await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            Store.Leases.AppendWithWorkAsync(workspace, "sesn_missing", [Event()], Ct));
    }

    [Fact]
    public async Task DeletingASessionDeletesItsLeaseAndWork()
    {
        var workspace = await NewWorkspaceAsync();
        var record = SessionRecord(workspace);
        await Store.Resources.InsertAsync(record, Ct);
        await Store.Leases.AppendWithWorkAsync(workspace, record.Id, [Event()], Ct);
        var lease = await Store.Leases.TryAcquireAsync(record.Id, "a", LongTtl, Ct);

        Assert.True(await Store.Resources.DeleteAsync(ResourceKind.Session, workspace, record.Id, Ct));

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.Leases.AppendFencedAsync(
            lease!, new FencedWrite([Event("agent.message")]) { WorkDone = true }, DateTimeOffset.UtcNow, Ct));
        // The same id again starts from nothing: no work, no lease, epoch 0.
        await Store.Resources.InsertAsync(record, Ct);
        Assert.DoesNotContain(record.Id, await ClaimableAsync());
        Assert.Equal(1, (await Store.Leases.TryAcquireAsync(record.Id, "b", LongTtl, Ct))!.Epoch);
    }

    /// <summary>The ids <see cref="ISessionLeases.FindClaimableAsync"/> returns, in its order.</summary>
    private async Task<List<string>> ClaimableAsync(bool interruptedOnly = false) =>
        [.. (await Store.Leases.FindClaimableAsync(1000, Ct, interruptedOnly)).Select(c => c.SessionId)];

    private static ResourceRecord Running(ResourceRecord row) =>
        row with { Json = """{"status":"running"}""", Session = row.Session! with { Status = "running" } };

    private static DateTimeOffset SqlTime(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);
}
