using Hangar.Server.Tests.Work;

namespace Hangar.Server.Tests.Limits;

/// <summary>
/// Self-hosted workers (environment keys, sessions tokens) spend a budget of their own, so a
/// tenant's reads cannot starve its workers' polls, and a busy worker cannot starve the tenant.
/// </summary>
public sealed class WorkerRateLimitTests(RateLimitedServerFixture server) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task A_workers_polls_are_served_while_the_workspaces_reads_are_limited_and_limited_on_their_own()
    {
        var seed = await WorkSeed.CreateAsync(server);
        for (var i = 0; i < RateLimitedServerFixture.ReadsPerMinute; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(server.Client, HttpMethod.Get, "/v1/sessions")).Status);
        }
        (await LimitsHttp.SendAsync(server.Client, HttpMethod.Get, "/v1/sessions")).AssertRateLimited();

        for (var i = 0; i < RateLimitedServerFixture.WorkPerMinute; i++)
        {
            Assert.Equal(200, (await PollAsync(seed)).Status);
        }
        (await PollAsync(seed)).AssertRateLimited();
    }

    private static async Task<LimitsResponse> PollAsync(WorkSeed seed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, seed.WorkPath("/poll"));
        request.Headers.Add("Anthropic-Worker-ID", "worker-a");
        using var response = await seed.Worker.SendAsync(request);
        return new LimitsResponse((int)response.StatusCode, response.Headers, ServerFixture.TryParse(await response.Content.ReadAsStringAsync()));
    }
}
