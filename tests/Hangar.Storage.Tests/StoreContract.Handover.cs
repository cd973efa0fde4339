namespace Hangar.Storage.Tests;

/// <summary>Handing a session back: a drain mid-turn, and the wake-up that lets another worker claim it at once.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task AMidTurnReleaseHandsTheSessionBackAsInterruptedAndWakesWorkers()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        var draining = await Store.Leases.TryAcquireAsync(session, "draining", LongTtl, Ct);
        using var workers = Store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);

        await Store.Leases.ReleaseAsync(draining!, Ct, midTurn: true);

        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal([session], await ClaimableAsync(interruptedOnly: true));
        var successor = await Store.Leases.TryAcquireAsync(session, "headroom", LongTtl, Ct, interruptedOnly: true);
        Assert.Equal(draining!.Epoch + 1, successor!.Epoch);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.Leases.AppendFencedAsync(
            draining, new FencedWrite([Event()]), DateTimeOffset.UtcNow, Ct));
    }

    [Fact]
    public async Task ReleasingASessionWithWorkLeftWakesWorkersAndOneWithoutWorkDoesNot()
    {
        var workspace = await NewWorkspaceAsync();
        var busy = await NewSessionAsync(workspace);
        var done = await NewSessionAsync(workspace);
        await Store.Leases.AppendWithWorkAsync(workspace, busy, [Event()], Ct);
        var busyLease = await Store.Leases.TryAcquireAsync(busy, "a", LongTtl, Ct);
        var doneLease = await Store.Leases.TryAcquireAsync(done, "a", LongTtl, Ct);
        await SettleNotificationsAsync();
        using var workers = Store.Notifications.Subscribe(LocalEventNotifications.WorkChannel);

        await Store.Leases.ReleaseAsync(doneLease!, Ct);
        Assert.False(await workers.WaitAsync(TimeSpan.FromMilliseconds(300), Ct));

        await Store.Leases.ReleaseAsync(busyLease!, Ct);
        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Contains(new ClaimableSession(busy, false), await Store.Leases.FindClaimableAsync(1000, Ct));
    }
}
