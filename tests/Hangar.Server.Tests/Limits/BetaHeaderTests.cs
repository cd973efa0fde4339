namespace Hangar.Server.Tests.Limits;

/// <summary>api.md §1: a missing <c>anthropic-beta</c> is accepted unless the operator asks for strictness.</summary>
public sealed class BetaHeaderTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task By_default_a_request_without_the_beta_header_is_served()
    {
        using var client = WithoutBeta(server);
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/agents")).Status);
    }

    internal static HttpClient WithoutBeta(ServerFixture server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", server.Client.DefaultRequestHeaders.GetValues("x-api-key").Single());
        return client;
    }
}

public sealed class StrictBetaHeaderTests(StrictBetaServerFixture server) : IClassFixture<StrictBetaServerFixture>
{
    [Fact]
    public async Task A_managed_agents_request_without_the_beta_header_is_refused()
    {
        using var client = BetaHeaderTests.WithoutBeta(server);
        var refused = await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/agents");
        Assert.Equal(400, refused.Status);
        Assert.Equal("invalid_request_error", (string?)refused.Body?["error"]?["type"]);
        Assert.Contains("managed-agents-2026-04-01", (string)refused.Body!["error"]!["message"]!);
    }

    [Theory]
    [InlineData("managed-agents-2026-04-01")]
    [InlineData("files-api-2025-04-14, managed-agents-2026-04-01")]
    [InlineData("files-api-2025-04-14,managed-agents-2026-04-01")]
    public async Task The_beta_may_be_anywhere_in_the_comma_list(string header)
    {
        using var client = BetaHeaderTests.WithoutBeta(server);
        client.DefaultRequestHeaders.Add("anthropic-beta", header);
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/agents")).Status);
    }

    [Fact]
    public async Task Files_and_the_health_probe_need_no_beta_header()
    {
        using var client = BetaHeaderTests.WithoutBeta(server);
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Get, "/v1/files")).Status);
        Assert.Equal(200, (int)(await client.GetAsync("/healthz")).StatusCode);
    }
}
