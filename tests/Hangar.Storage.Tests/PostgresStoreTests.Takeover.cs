namespace Hangar.Storage.Tests;

/// <summary>
/// Takeover without waiting out the TTL: a lease whose owner's database session ended (its
/// process died; here its store is closed) may be claimed at once, a live owner's never.
/// </summary>
public sealed partial class PostgresStoreTests
{
    private static readonly TimeSpan MinuteTtl = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ALeaseOfAnOwnerWhoseDatabaseSessionEndedIsInterruptedAndClaimableBeforeItsTtl()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        var owner = await OpenStoreAsync();
        var dead = await owner.Leases.TryAcquireAsync(session, "doomed", MinuteTtl, Ct);
        Assert.NotNull(dead);

        await owner.DisposeAsync(); // Its connections close, as the kernel closes them when a process dies.

        var claimable = await WaitUntilAsync(async () => await Store.Leases.FindClaimableAsync(10, Ct, interruptedOnly: true) is [var only] && only.SessionId == session);
        Assert.True(claimable, "the dead owner's session never became claimable");
        var successor = await Store.Leases.TryAcquireAsync(session, "successor", MinuteTtl, Ct, interruptedOnly: true);
        Assert.Equal(dead!.Epoch + 1, successor!.Epoch);
        Assert.True(successor.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30), "claimed early, not after the minute-long TTL");
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.Leases.AppendFencedAsync(
            dead, new FencedWrite([Event()]), DateTimeOffset.UtcNow, Ct));
        Assert.False(await Store.Leases.RenewAsync(dead, MinuteTtl, Ct));
    }

    [Fact]
    public async Task ALiveOwnersLeaseIsNeverTakenBeforeItsTtl()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        await using var owner = await OpenStoreAsync();
        var held = await owner.Leases.TryAcquireAsync(session, "alive", MinuteTtl, Ct);

        // Other processes come and go (their presence locks with them): the owner's lease stays its own.
        for (var i = 0; i < 3; i++)
        {
            await (await OpenStoreAsync()).DisposeAsync();
        }

        Assert.Empty(await Store.Leases.FindClaimableAsync(10, Ct));
        Assert.Null(await Store.Leases.TryAcquireAsync(session, "thief", MinuteTtl, Ct));
        Assert.True(await owner.Leases.RenewAsync(held!, MinuteTtl, Ct));
        await owner.Leases.AppendFencedAsync(held!, new FencedWrite([Event()]), DateTimeOffset.UtcNow, Ct);
    }

    /// <summary>Polls for up to 10 s: PostgreSQL ends a closed connection's backend asynchronously.</summary>
    private async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(20, Ct);
        }
        return false;
    }
}
