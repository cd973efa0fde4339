using System.Collections.Concurrent;

namespace Hangar.Storage.Tests;

/// <summary>Leases across processes (here, store instances) on one database.</summary>
public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task WorkAddedInOneProcessWakesWorkersInAnother()
    {
        await using var other = await OpenStoreAsync();
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        using var workers = other.Notifications.Subscribe(LocalEventNotifications.WorkChannel);

        await Store.Leases.AppendWithWorkAsync(workspace, session, [Event()], Ct);
        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));

        await Store.Leases.MarkWorkAsync(session, Ct);
        Assert.True(await workers.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task ClaimersInTwoProcessesNeverHoldASessionAtTheSameTime()
    {
        await using var other = await OpenStoreAsync();
        var workspace = await NewWorkspaceAsync();
        var sessions = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            sessions.Add(await NewSessionAsync(workspace));
        }
        var holders = new ConcurrentDictionary<string, string>();
        var epochs = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var overlaps = 0;

        // Per session, two claimers in each process; each retries until it has held the lease once.
        var claimers = sessions.SelectMany(session => new[] { Store, Store, other, other }.Select((store, n) => Task.Run(async () =>
        {
            var owner = $"{session}-{n}";
            while (true)
            {
                var lease = await store.Leases.TryAcquireAsync(session, owner, TimeSpan.FromMinutes(1), Ct);
                if (lease is null)
                {
                    await Task.Delay(Random.Shared.Next(1, 5), Ct);
                    continue;
                }
                if (!holders.TryAdd(session, owner))
                {
                    Interlocked.Increment(ref overlaps);
                }
                epochs.GetOrAdd(session, _ => []).Add(lease.Epoch);
                await Task.Delay(Random.Shared.Next(0, 3), Ct);
                holders.TryRemove(new KeyValuePair<string, string>(session, owner));
                await store.Leases.ReleaseAsync(lease, Ct);
                return;
            }
        }, Ct)));
        await Task.WhenAll(claimers);

        Assert.Equal(0, overlaps);
        Assert.All(sessions, s => Assert.Equal([1L, 2, 3, 4], epochs[s].Order()));
    }
}
