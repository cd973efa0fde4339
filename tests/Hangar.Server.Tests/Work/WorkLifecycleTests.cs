using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Work;

/// <summary>The work routes and their state transitions (api.md §12), over real HTTP and SQLite.</summary>
public class WorkLifecycleTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task An_empty_poll_answers_200_with_a_json_null_body()
    {
        var seed = await WorkSeed.CreateAsync(server);
        Assert.Null(await seed.PollAsync());
        Assert.Null(await seed.PollAsync(query: "?block_ms=20"));
    }

    [Theory]
    [InlineData("?block_ms=0")]
    [InlineData("?block_ms=1000")]
    [InlineData("?block_ms=soon")]
    [InlineData("?reclaim_older_than_ms=-1")]
    public async Task A_poll_with_a_bad_block_or_reclaim_is_400(string query)
    {
        var seed = await WorkSeed.CreateAsync(server);
        var (status, body) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, seed.WorkPath("/poll" + query));
        Assert.Equal(400, status);
        Assert.Equal("invalid_request_error", (string?)body?["error"]?["type"]);
    }

    [Fact]
    public async Task A_claimed_item_goes_queued_starting_active_stopping_stopped()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var sessionId = await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync())!;
        Assert.Equal("work", (string?)work["type"]);
        Assert.Equal("queued", (string?)work["state"]);
        Assert.Equal(sessionId, (string?)work["data"]!["id"]);
        Assert.StartsWith("sk-ant-req-", WorkSeed.SessionsToken(work));
        var id = (string)work["id"]!;

        var acked = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        Assert.Equal("starting", (string?)acked["state"]);
        Assert.NotNull(acked["acknowledged_at"]);
        Assert.Null(acked["secret"]);

        var token = WorkSeed.BearerClient(server, WorkSeed.SessionsToken(work));
        var beat = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=30"), client: token);
        Assert.Equal("work_heartbeat", (string?)beat["type"]);
        Assert.Equal("active", (string?)beat["state"]);
        Assert.True((bool)beat["lease_extended"]!);
        Assert.Equal(30, (int)beat["ttl_seconds"]!);
        var last = (string)beat["last_heartbeat"]!;

        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var again = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat={Uri.EscapeDataString(last)}"), client: token);
        Assert.NotEqual(last, (string)again["last_heartbeat"]!);

        // A stale heartbeat: 412 with the lease as the server holds it.
        var (status, error) = await ServerFixture.SendAsync(token, HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat={Uri.EscapeDataString(last)}"));
        Assert.Equal(412, status);
        Assert.Equal("heartbeat_precondition_failed", (string?)error!["error"]!["details"]!["error_code"]);
        Assert.Equal((string)again["last_heartbeat"]!, (string?)error["error"]!["details"]!["current_state"]!["last_heartbeat"]);
        Assert.False((bool)error["error"]!["details"]!["current_state"]!["lease_extended"]!);

        var stopping = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), "{}");
        Assert.Equal("stopping", (string?)stopping["state"]);
        Assert.NotNull(stopping["stop_requested_at"]);
        // Once stopping, the precondition is not checked and the lease is not extended.
        var told = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), client: token);
        Assert.Equal("stopping", (string?)told["state"]);
        Assert.False((bool)told["lease_extended"]!);

        var stopped = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/stop"), """{"force":true}""", client: token);
        Assert.Equal("stopped", (string?)stopped["state"]);
        Assert.NotNull(stopped["stopped_at"]);
        var (conflict, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, seed.WorkPath($"/{id}/stop"), """{"force":true}""");
        Assert.Equal(409, conflict);

        // The token ends with its item; the environment key still heartbeats and hears "stopped".
        var (gone, _) = await ServerFixture.SendAsync(token, HttpMethod.Get, $"/v1/sessions/{sessionId}");
        Assert.Equal(401, gone);
        var after = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), client: seed.Worker);
        Assert.Equal("stopped", (string?)after["state"]);
        Assert.False((bool)after["lease_extended"]!);
    }

    [Fact]
    public async Task An_unacknowledged_claim_is_reclaimed_after_reclaim_older_than_ms()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var first = (await seed.PollAsync(workerId: "a"))!;
        Assert.Null(await seed.PollAsync(workerId: "b"));
        server.Clock.Advance(TimeSpan.FromSeconds(6));
        var second = (await seed.PollAsync(workerId: "b"))!;
        Assert.Equal((string)first["id"]!, (string)second["id"]!);
        // The first claim's token was replaced by the second's.
        var (status, _) = await ServerFixture.SendAsync(WorkSeed.BearerClient(server, WorkSeed.SessionsToken(first)), HttpMethod.Get, $"/v1/sessions/{second["data"]!["id"]}");
        Assert.Equal(401, status);
        Assert.Null(await seed.PollAsync(workerId: "c", query: "?reclaim_older_than_ms=60000"));
    }

    [Fact]
    public async Task A_lapsed_lease_returns_the_item_to_the_queue_and_another_worker_takes_it()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync(workerId: "a"))!;
        var id = (string)work["id"]!;
        await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/ack"), client: seed.Worker);
        var beat = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=10"), client: seed.Worker);
        server.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Null(await seed.PollAsync(workerId: "b"));
        server.Clock.Advance(TimeSpan.FromSeconds(2));

        var taken = (await seed.PollAsync(workerId: "b"))!;
        Assert.Equal(id, (string)taken["id"]!);
        Assert.Equal("queued", (string?)taken["state"]);
        Assert.Null(taken["latest_heartbeat_at"]);
        // The first worker's next heartbeat learns it lost the lease.
        var (status, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Post,
            seed.WorkPath($"/{id}/heartbeat?expected_last_heartbeat={Uri.EscapeDataString((string)beat["last_heartbeat"]!)}"));
        Assert.Equal(412, status);
    }

    [Fact]
    public async Task A_blocking_poll_wakes_when_work_is_enqueued()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var poll = seed.PollAsync(query: "?block_ms=999");
        await Task.Delay(100);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var sessionId = await seed.QueuedSessionAsync();
        var work = await poll;
        Assert.NotNull(work);
        Assert.Equal(sessionId, (string?)work["data"]!["id"]);
        Assert.True(started.ElapsedMilliseconds < 900, $"the poll took {started.ElapsedMilliseconds} ms after the enqueue");
    }

    [Fact]
    public async Task Ack_of_an_unclaimed_item_is_409_and_of_a_stopped_one_too()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var sessionId = await seed.QueuedSessionAsync();
        var item = (await server.Store.Work.FindOpenForSessionAsync(sessionId, CancellationToken.None))!;
        var (unclaimed, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Post, seed.WorkPath($"/{item.Id}/ack"));
        Assert.Equal(409, unclaimed);
        // Stopping an item nobody holds stops it at once.
        var stopped = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{item.Id}/stop"));
        Assert.Equal("stopped", (string?)stopped["state"]);
        var (late, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Post, seed.WorkPath($"/{item.Id}/ack"));
        Assert.Equal(409, late);
        var (missing, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Post, seed.WorkPath("/work_011CZkZ9X2dpNyB7HsEFoRfW/ack"));
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Stats_list_retrieve_and_metadata_show_the_queue()
    {
        var seed = await WorkSeed.CreateAsync(server);
        await seed.QueuedSessionAsync();
        await seed.QueuedSessionAsync();
        await seed.PollAsync(workerId: "w1");
        await seed.PollAsync(workerId: "w2");
        await seed.QueuedSessionAsync();

        var stats = await server.OkAsync(HttpMethod.Get, seed.WorkPath("/stats"));
        Assert.Equal("work_queue_stats", (string?)stats["type"]);
        Assert.Equal(1, (int)stats["depth"]!);
        Assert.Equal(2, (int)stats["pending"]!);
        Assert.Equal(2, (int)stats["workers_polling"]!);
        Assert.NotNull(stats["oldest_queued_at"]);

        var list = await server.OkAsync(HttpMethod.Get, seed.WorkPath("?limit=2"), client: seed.Worker);
        Assert.Equal(2, list["data"]!.AsArray().Count);
        var next = (string)list["next_page"]!;
        var rest = await server.OkAsync(HttpMethod.Get, seed.WorkPath($"?limit=2&page={next}"), client: seed.Worker);
        Assert.Single(rest["data"]!.AsArray());
        Assert.Null(rest["next_page"]);
        Assert.All(list["data"]!.AsArray(), w => Assert.Null(w!["secret"]));

        var id = (string)list["data"]![0]!["id"]!;
        var updated = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}"), """{"metadata":{"host":"gpu-1","gone":null}}""");
        Assert.Equal("gpu-1", (string?)updated["metadata"]!["host"]);
        var patched = await server.OkAsync(HttpMethod.Post, seed.WorkPath($"/{id}"), """{"metadata":{"host":null,"rack":"b"}}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"rack":"b"}"""), patched["metadata"]));
        var fetched = await server.OkAsync(HttpMethod.Get, seed.WorkPath($"/{id}"));
        Assert.Equal(id, (string?)fetched["id"]);
        var (bad, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, seed.WorkPath($"/{id}"), """{"metadata":{"k":1}}""");
        Assert.Equal(400, bad);
    }
}
