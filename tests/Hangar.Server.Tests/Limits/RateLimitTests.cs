using Hangar.Server.Http;
using Hangar.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Server.Tests.Limits;

/// <summary>
/// Per-workspace request rates: past the minute's allowance a workspace gets the API's 429 with
/// <c>retry-after</c>, while other workspaces, and its other budgets, are still served.
/// </summary>
public sealed class RateLimitTests(RateLimitedServerFixture server) : IClassFixture<RateLimitedServerFixture>
{
    private const int Creates = RateLimitedServerFixture.CreatesPerMinute;
    private const int Reads = RateLimitedServerFixture.ReadsPerMinute;

    [Fact]
    public async Task Creates_past_the_limit_get_429_in_the_error_shape_and_create_nothing()
    {
        var (workspaceId, client) = await LimitsHttp.NewTenantAsync(server);
        for (var i = 0; i < Creates; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/agents", LimitsHttp.AgentJson)).Status);
        }
        var refused = await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/agents", LimitsHttp.AgentJson);
        refused.AssertRateLimited();
        Assert.Contains($"{Creates} create requests per minute", (string)refused.Body!["error"]!["message"]!);
        // One token per 20 s at 3 a minute: the client is told to come back in about that long.
        var retryAfter = int.Parse(refused.Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 20);
        var agents = await server.Store.Resources.ListAsync(ResourceKind.Agent, workspaceId, new ResourceQuery(100), CancellationToken.None);
        Assert.Equal(Creates, agents.Items.Count);
    }

    [Fact]
    public async Task Another_workspace_is_served_while_one_is_limited()
    {
        var (_, exhausted) = await LimitsHttp.NewTenantAsync(server);
        var (_, neighbour) = await LimitsHttp.NewTenantAsync(server);
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(exhausted, HttpMethod.Get, "/v1/agents")).Status);
        }
        (await LimitsHttp.SendAsync(exhausted, HttpMethod.Get, "/v1/agents")).AssertRateLimited();
        Assert.Equal(200, (await LimitsHttp.SendAsync(neighbour, HttpMethod.Get, "/v1/agents")).Status);
        Assert.Equal(200, (await LimitsHttp.SendAsync(neighbour, HttpMethod.Post, "/v1/agents", LimitsHttp.AgentJson)).Status);
    }

    [Fact]
    public async Task A_second_key_of_the_same_workspace_shares_its_budget()
    {
        var (workspaceId, first) = await LimitsHttp.NewTenantAsync(server);
        var secondKey = ApiKeys.Generate();
        await server.Store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(secondKey), CancellationToken.None);
        var second = server.CreateClient(secondKey);
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(i % 2 == 0 ? first : second, HttpMethod.Get, "/v1/sessions")).Status);
        }
        (await LimitsHttp.SendAsync(second, HttpMethod.Get, "/v1/sessions")).AssertRateLimited();
    }

    [Fact]
    public async Task Creates_and_reads_are_separate_budgets()
    {
        var (_, client) = await LimitsHttp.NewTenantAsync(server);
        for (var i = 0; i < Creates; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/vaults", """{"display_name":"v"}""")).Status);
        }
        (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/environments", """{"name":"e"}""")).AssertRateLimited();
        // Reads, and POSTs that create nothing (here: an update), still spend the other budget.
        var vaults = await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/vaults");
        Assert.Equal(200, vaults.Status);
        var vaultId = (string)vaults.Body!["data"]![0]!["id"]!;
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, $"/v1/vaults/{vaultId}", """{"display_name":"renamed"}""")).Status);
    }

    [Fact]
    public async Task Unauthenticated_requests_and_the_health_probe_spend_no_budget()
    {
        var (_, client) = await LimitsHttp.NewTenantAsync(server);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < Reads * 2; i++)
        {
            Assert.Equal(401, (int)(await anonymous.GetAsync("/v1/agents")).StatusCode);
            Assert.Equal(200, (int)(await anonymous.GetAsync("/healthz")).StatusCode);
        }
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/agents")).Status);
    }

    [Fact]
    public void Every_create_route_is_a_real_POST_route()
    {
        // Guards the list against a renamed route silently moving creates into the read budget.
        var posts = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .ToHashSet();
        Assert.All(RateLimits.CreateRoutes, route => Assert.Contains(route, posts));
    }
}

/// <summary>Without limits (the test fixtures' setting, and <c>unlimited</c> on the command line) nothing is refused.</summary>
public sealed class UnlimitedRateTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task An_unlimited_server_serves_every_request()
    {
        var (_, client) = await LimitsHttp.NewTenantAsync(server);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/agents", LimitsHttp.AgentJson)).Status);
            Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/agents?limit=1")).Status);
        }
    }

    [Theory]
    [InlineData("unlimited", null)]
    [InlineData(" Unlimited ", null)]
    [InlineData("300", 300)]
    public void Limits_parse_as_written_on_the_command_line(string text, int? expected) =>
        Assert.Equal(expected, RequestLimits.Parse(text, "--rate-limit-create"));

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    public void Nonsense_limits_are_refused(string text) =>
        Assert.Contains("--rate-limit-create", Assert.Throws<FormatException>(() => RequestLimits.Parse(text, "--rate-limit-create")).Message);
}
