using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Server.Http;

namespace Hangar.Server.Tests.Limits;

/// <summary>
/// The server with small request rates (3 creates, 6 reads and 6 worker requests a minute), so a
/// test reaches them in a handful of requests. A test spends them in a fresh workspace of its own
/// (<see cref="LimitsHttp.NewTenantAsync"/>); the buckets refill over minutes, so nothing waits on the clock.
/// </summary>
public sealed class RateLimitedServerFixture : ServerFixture
{
    public const int CreatesPerMinute = 3;
    public const int ReadsPerMinute = 6;
    public const int WorkPerMinute = 6;

    protected override HangarServerOptions Configure(HangarServerOptions options) => options with
    {
        Limits = RequestLimits.Unlimited with { CreatePerMinute = CreatesPerMinute, ReadPerMinute = ReadsPerMinute, WorkPerMinute = WorkPerMinute },
    };
}

/// <summary>Rates unlimited, quotas small: two running sessions per workspace, two streams per session, three per key.</summary>
public sealed class QuotaServerFixture : ServerFixture
{
    public const int RunningSessions = 2;
    public const int StreamsPerSession = 2;
    public const int StreamsPerKey = 3;

    protected override HangarServerOptions Configure(HangarServerOptions options) => options with
    {
        // Short, so a server notices a closed stream (and frees its slot) within a test's patience.
        StreamHeartbeat = TimeSpan.FromMilliseconds(300),
        Limits = RequestLimits.Unlimited with
        {
            RunningSessionsPerWorkspace = RunningSessions,
            StreamsPerSession = StreamsPerSession,
            StreamsPerKey = StreamsPerKey,
        },
    };
}

/// <summary>The hosted service's strictness: managed-agents routes need the beta header.</summary>
public sealed class StrictBetaServerFixture : ServerFixture
{
    protected override HangarServerOptions Configure(HangarServerOptions options) => options with { RequireBetaHeader = true };
}

/// <summary>A response read whole: status, headers and the parsed body.</summary>
public sealed record LimitsResponse(int Status, HttpResponseHeaders Headers, JsonNode? Body)
{
    /// <summary>Asserts the API's 429: the error envelope of api.md §2 plus the retry headers the SDKs honour.</summary>
    public void AssertRateLimited(string? errorCode = null)
    {
        Assert.True(Status == 429, $"expected 429, got {Status}: {Body?.ToJsonString()}");
        Assert.Equal("error", (string?)Body?["type"]);
        Assert.Equal("rate_limit_error", (string?)Body?["error"]?["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)Body?["error"]?["message"]));
        Assert.Equal(Headers.GetValues("request-id").Single(), (string?)Body?["request_id"]);
        Assert.True(long.Parse(Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.True(long.Parse(Headers.GetValues("retry-after-ms").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(errorCode, (string?)Body?["error"]?["details"]?["error_code"]);
    }
}

public static class LimitsHttp
{
    /// <summary>A new workspace and a client with its key: a tenant whose budgets are untouched.</summary>
    public static async Task<(string WorkspaceId, HttpClient Client)> NewTenantAsync(ServerFixture server)
    {
        var (workspaceId, key) = await server.AddWorkspaceAsync("limits-" + Guid.NewGuid().ToString("N"));
        return (workspaceId, server.CreateClient(key));
    }

    public static async Task<LimitsResponse> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        using var response = await client.SendAsync(request);
        return new LimitsResponse((int)response.StatusCode, response.Headers, ServerFixture.TryParse(await response.Content.ReadAsStringAsync()));
    }

    public const string AgentJson = """{"name":"limits","model":"claude-sonnet-4-6"}""";
}
