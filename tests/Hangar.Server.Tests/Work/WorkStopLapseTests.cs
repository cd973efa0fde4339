namespace Hangar.Server.Tests.Work;

/// <summary>
/// A stop waits for the worker to confirm; a worker that dies instead leaves a <c>stopping</c>
/// item whose lease lapses. It must end <c>stopped</c>, never stay stopping nor go back to the queue.
/// The server clock is moved, not waited for.
/// </summary>
public abstract class WorkStopLapseTests(ServerFixture server)
{
    [Fact]
    public async Task A_stopping_item_whose_lease_lapses_becomes_stopped_and_is_not_handed_out_again()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var sessionId = await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync(workerId: "a"))!;
        var id = (string)work["id"]!;
        var token = WorkSeed.BearerClient(server, WorkSeed.SessionsToken(work));
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        var beat = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=60"), client: token);
        var leaseEnds = DateTimeOffset.Parse((string)beat["last_heartbeat"]!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(60);

        var stopping = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        Assert.Equal("stopping", (string?)stopping["state"]);
        // Within the lease: still stopping, the worker's token still works, nobody else gets it.
        // (The test clock is the real one plus an offset: 30 s of margin keeps a loaded machine inside the lease.)
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await seed.PollAsync(workerId: "b"));
        Assert.Equal("stopping", (string?)(await server.OkAsync(HttpMethod.Get, seed.WorkPath($"/{id}")))["state"]);
        await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{sessionId}", client: token);

        // The worker died without confirming: once the lease lapses the item is stopped, at the lapse.
        server.Clock.Advance(TimeSpan.FromSeconds(31));
        var item = await server.OkAsync(HttpMethod.Get, seed.WorkPath($"/{id}"));
        Assert.Equal("stopped", (string?)item["state"]);
        Assert.Equal(leaseEnds, DateTimeOffset.Parse((string)item["stopped_at"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(await seed.PollAsync(workerId: "b"));
        var told = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), client: seed.Worker);
        Assert.Equal("stopped", (string?)told["state"]);
        Assert.False((bool)told["lease_extended"]!);
        var (conflict, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        Assert.Equal(409, conflict);
        var (gone, _) = await ServerFixture.SendAsync(token, HttpMethod.Get, $"/v1/sessions/{sessionId}");
        Assert.Equal(401, gone);
    }

    [Fact]
    public async Task The_token_of_a_lapsed_stopping_item_is_refused_even_before_any_work_route_runs()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var sessionId = await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync())!;
        var id = (string)work["id"]!;
        var token = WorkSeed.BearerClient(server, WorkSeed.SessionsToken(work));
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: token);
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        server.Clock.Advance(TimeSpan.FromSeconds(91));

        var (status, _) = await ServerFixture.SendAsync(token, HttpMethod.Get, $"/v1/sessions/{sessionId}/events");
        Assert.Equal(401, status);
        var item = (await server.Store.Work.GetAsync(seed.EnvironmentId, id, CancellationToken.None))!;
        Assert.Equal("stopped", item.State);
    }

    [Fact]
    public async Task A_stop_before_the_ack_gives_the_claimer_one_ttl_then_stops_the_item()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var id = (string)(await seed.PollAsync())!["id"]!;
        var stopping = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        Assert.Equal("stopping", (string?)stopping["state"]);
        // Past the reclaim window the claim is not reclaimed: a stopping item is never queued again.
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await seed.PollAsync(workerId: "b"));
        Assert.Equal("stopping", (string?)(await server.OkAsync(HttpMethod.Get, seed.WorkPath($"/{id}")))["state"]);

        server.Clock.Advance(TimeSpan.FromSeconds(61));
        var list = await server.OkAsync(HttpMethod.Get, seed.WorkPath(), client: seed.Worker);
        var listed = list["data"]!.AsArray().Single(w => (string?)w!["id"] == id)!;
        Assert.Equal("stopped", (string?)listed["state"]);
    }

    [Fact]
    public async Task A_worker_confirming_a_stop_inside_the_lease_stops_the_item_at_once()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync())!;
        var id = (string)work["id"]!;
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        // An operator asking again changes nothing; the worker's own (graceful) stop is its confirmation.
        var again = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        Assert.Equal("stopping", (string?)again["state"]);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var token = WorkSeed.BearerClient(server, WorkSeed.SessionsToken(work));
        var confirmed = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}", client: token);
        Assert.Equal("stopped", (string?)confirmed["state"]);
        Assert.Equal((string?)confirmed["stopped_at"], (string?)(await server.OkAsync(HttpMethod.Get, seed.WorkPath($"/{id}")))["stopped_at"]);
        Assert.NotEqual((string?)confirmed["stop_requested_at"], (string?)confirmed["stopped_at"]);
    }

    [Fact]
    public async Task A_worker_leaving_on_its_own_stops_its_item_at_once()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var id = (string)(await seed.PollAsync())!["id"]!;
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        var left = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), client: seed.Worker);
        Assert.Equal("stopped", (string?)left["state"]);
    }
}

public sealed class SqliteWorkStopLapseTests(ServerFixture server) : WorkStopLapseTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresWorkStopLapseTests(PostgresServerFixture server) : WorkStopLapseTests(server), IClassFixture<PostgresServerFixture>;
