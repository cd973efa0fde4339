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
        // 60 a minute: a burst of 60, then one more each second, so a refused call's retry-after is at most 1 s.
        await using var hangar = await StartAsync(RequestLimits.Unlimited with { ReadPerMinute = 60 }, ct);
        var statuses = new StatusRecorder();
        var client = hangar.Client(statuses);
        // Call until the burst is spent and a call meets a 429; with the SDK's default retries every call still succeeds.
        for (var i = 0; i < 200 && !statuses.Saw(429); i++)
        {
            (await client.Beta.Agents.List(new AgentListParams { Limit = 1 }, ct)).Validate();
        }
        Assert.True(statuses.Saw(429), "the read limit was never reached");
        Assert.Equal(200, statuses.Last);
    }

    /// <summary>Every attempt's status, as the SDK's HTTP pipeline sees it (retries included).</summary>
    private sealed class StatusRecorder : DelegatingHandler
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<int> _statuses = new();

        public int Last => _statuses.Last();

        public bool Saw(int status) => _statuses.Contains(status);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            _statuses.Enqueue((int)response.StatusCode);
            return response;
        }
    }

    private static Task<RunningHangar> StartAsync(RequestLimits limits, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("hangar-conformance-limits-").FullName;
        return RunningHangar.StartAsync(new StoreOptions(DataDirectory: directory), directory, ct, configure: options => options with { Limits = limits });
    }
}
