using System.Collections.Concurrent;

namespace Hangar.Server.Tests.Work;

/// <summary>The claim path on PostgreSQL: concurrent pollers each get a different item, none twice.</summary>
public class PostgresWorkClaimTests(PostgresServerFixture server) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task Concurrent_polls_claim_each_item_exactly_once()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var sessions = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            sessions.Add(await seed.QueuedSessionAsync());
        }
        var claimed = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 12), async (i, _) =>
        {
            if (await seed.PollAsync(workerId: $"w{i}") is { } work)
            {
                claimed.Add((string)work["data"]!["id"]!);
            }
        });
        Assert.Equal(sessions.Order(), claimed.Order());
    }

    [Fact]
    public async Task A_lapsed_lease_moves_to_the_next_poller()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync(workerId: "a"))!;
        var id = (string)work["id"]!;
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        server.Clock.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal(id, (string?)(await seed.PollAsync(workerId: "b"))!["id"]);
    }
}
