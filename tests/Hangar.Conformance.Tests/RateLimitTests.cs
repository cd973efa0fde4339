using System.Diagnostics;
using System.Net;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Agents;
using Hangar.Conformance.Tests.Hosting;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Conformance.Tests;

/// <summary>
/// The official SDK meets Hangar's per-workspace rate limits as it meets the hosted service's: a 429
/// surfaces as its <see cref="AnthropicRateLimitException"/>, and its own retries honour <c>retry-after</c>.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_create_past_the_limit_surfaces_as_the_sdks_rate_limit_exception()
    {
        var ct = Timeouts.Test();
        await using var hangar = await StartAsync(RequestLimits.Unlimited with { CreatePerMinute = 2 }, ct);
        // No retries: the SDK would otherwise retry the 429 twice, waiting as retry-after says (30 s here).
        var client = new AnthropicClient(new ClientOptions { BaseUrl = hangar.BaseUrl.ToString().TrimEnd('/'), ApiKey = hangar.ApiKey, MaxRetries = 0 });

        await client.AgentAsync(ct);
        await client.AgentAsync(ct);
        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => client.AgentAsync(ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Contains("rate_limit_error", error.ResponseBody);
        Assert.StartsWith("req_", error.RequestID);
        // Reads are another budget: the same client still lists.
        Assert.Equal(2, (await client.Beta.Agents.List(cancellationToken: ct)).Items.Count);
    }

    [Fact]
    public async Task The_sdks_own_retry_waits_as_told_and_then_succeeds()
    {
        var ct = Timeouts.Test();
        // 60 a minute: the burst is 60, then one more each second.
        await using var hangar = await StartAsync(RequestLimits.Unlimited with { ReadPerMinute = 60 }, ct);
        var client = hangar.Client();
        for (var i = 0; i < 60; i++)
        {
            await client.Beta.Agents.List(new AgentListParams { Limit = 1 }, ct);
        }
        var clock = Stopwatch.StartNew();
        var page = await client.Beta.Agents.List(new AgentListParams { Limit = 1 }, ct);
        page.Validate();
        // Served only after the SDK waited out at least one refusal's retry-after.
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(300), $"answered in {clock.Elapsed}: no 429 was retried");
    }

    private static Task<RunningHangar> StartAsync(RequestLimits limits, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("hangar-conformance-limits-").FullName;
        return RunningHangar.StartAsync(new StoreOptions(DataDirectory: directory), directory, ct, configure: options => options with { Limits = limits });
    }
}
