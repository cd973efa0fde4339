namespace Hangar.Server.Tests.Work;

/// <summary>Who may call what: environment keys, sessions tokens and API keys on the work and session routes.</summary>
public class WorkAccessTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task An_environment_key_reaches_only_its_environment_and_the_sessions_it_claimed()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var other = await WorkSeed.CreateAsync(server);
        var claimed = await seed.QueuedSessionAsync();
        var unclaimed = await seed.QueuedSessionAsync();
        await seed.PollAsync();

        var (otherEnv, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, other.WorkPath("/poll"));
        Assert.Equal(404, otherEnv);
        await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{claimed}", client: seed.Worker);
        await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{claimed}/events", client: seed.Worker);
        var (notClaimed, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, $"/v1/sessions/{unclaimed}");
        Assert.Equal(404, notClaimed);
        var (notWorkerRoute, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, "/v1/agents");
        Assert.Equal(403, notWorkerRoute);
        var (stats, _) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, seed.WorkPath("/stats"));
        Assert.Equal(403, stats);
    }

    [Fact]
    public async Task A_sessions_token_reaches_only_its_session_and_its_item()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var mine = await seed.QueuedSessionAsync();
        var work = (await seed.PollAsync())!;
        var theirs = await seed.QueuedSessionAsync();
        var token = WorkSeed.BearerClient(server, WorkSeed.SessionsToken(work));
        await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{mine}", client: token);
        var (other, _) = await ServerFixture.SendAsync(token, HttpMethod.Get, $"/v1/sessions/{theirs}");
        Assert.Equal(404, other);
        var (poll, _) = await ServerFixture.SendAsync(token, HttpMethod.Get, seed.WorkPath("/poll"));
        Assert.Equal(403, poll);
        var (otherItem, _) = await ServerFixture.SendAsync(token, HttpMethod.Post, seed.WorkPath("/work_011CZkZ9X2dpNyB7HsEFoRfW/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"));
        Assert.Equal(404, otherItem);
    }

    [Fact]
    public async Task An_api_key_cannot_act_as_a_worker()
    {
        var seed = await WorkSeed.CreateAsync(server);
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/poll"), (HttpMethod.Get, ""), (HttpMethod.Post, "/work_011CZkZ9X2dpNyB7HsEFoRfW/ack") })
        {
            var (status, body) = await ServerFixture.SendAsync(server.Client, method, seed.WorkPath(path));
            Assert.True(status == 403, $"{method} {path}: {status}");
            Assert.Equal("permission_error", (string?)body?["error"]?["type"]);
        }
        // Another workspace's API key does not see the environment.
        var (foreign, _) = await ServerFixture.SendAsync(server.OtherClient, HttpMethod.Get, seed.WorkPath("/stats"));
        Assert.Equal(404, foreign);
    }

    [Fact]
    public async Task A_revoked_environment_key_is_refused()
    {
        var seed = await WorkSeed.CreateAsync(server);
        Assert.Null(await seed.PollAsync());
        Assert.True(await server.Store.EnvironmentKeys.RevokeAsync(seed.KeyId, DateTimeOffset.UtcNow, CancellationToken.None));
        var (status, body) = await ServerFixture.SendAsync(seed.Worker, HttpMethod.Get, seed.WorkPath("/poll"));
        Assert.Equal(401, status);
        Assert.Equal("authentication_error", (string?)body?["error"]?["type"]);
        var listed = Assert.Single(await server.Store.EnvironmentKeys.ListAsync(seed.EnvironmentId, CancellationToken.None));
        Assert.NotNull(listed.RevokedAt);
    }
}
