using System.Text.Json.Nodes;
using Hangar.Harness.Log;
using Hangar.Storage;

namespace Hangar.Harness.Tests.Turns;

public sealed class SessionLogCacheTests
{
    [Fact]
    public void A_log_kept_at_one_epoch_is_reused_by_the_very_next_claim_only_once()
    {
        var cache = new SessionLogCache(100);
        var log = Events(3);
        cache.Keep(Lease("sesn_a", 4), log);

        Assert.Same(log, cache.Take(Lease("sesn_a", 5)));
        Assert.Null(cache.Take(Lease("sesn_a", 5))); // Taken: a second claim reads the store.
    }

    [Theory]
    [InlineData(6)] // Another process held epoch 5 and may have marked events processed.
    [InlineData(4)] // Not newer: never trust it.
    public void A_log_kept_at_another_epoch_is_dropped(long claimedEpoch)
    {
        var cache = new SessionLogCache(100);
        cache.Keep(Lease("sesn_a", 4), Events(3));

        Assert.Null(cache.Take(Lease("sesn_a", claimedEpoch)));
        Assert.Null(cache.Take(Lease("sesn_a", 5))); // Dropped, not left behind.
    }

    [Fact]
    public void The_least_recently_kept_sessions_go_first_when_the_event_budget_is_exceeded()
    {
        var cache = new SessionLogCache(10);
        cache.Keep(Lease("sesn_a", 1), Events(4));
        cache.Keep(Lease("sesn_b", 1), Events(4));
        cache.Keep(Lease("sesn_c", 1), Events(4));

        Assert.Null(cache.Take(Lease("sesn_a", 2)));
        Assert.NotNull(cache.Take(Lease("sesn_b", 2)));
        Assert.NotNull(cache.Take(Lease("sesn_c", 2)));
    }

    [Fact]
    public void A_log_larger_than_the_whole_budget_is_not_kept()
    {
        var cache = new SessionLogCache(2);
        cache.Keep(Lease("sesn_a", 1), Events(3));

        Assert.Null(cache.Take(Lease("sesn_a", 2)));
    }

    private static SessionLease Lease(string sessionId, long epoch) =>
        new("wrkspc_1", sessionId, "worker-1", epoch, DateTimeOffset.UnixEpoch);

    private static List<LoggedEvent> Events(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new LoggedEvent(i, $"sevt_{i}", "user.message", new JsonObject(), null))];
}
