using System.Text.Json.Nodes;
using Hangar.Server.Tests.Sessions;
using Hangar.Storage;

namespace Hangar.Server.Tests.Limits;

/// <summary>
/// The running-sessions quota (two here) and the stream caps (two per session, three per key):
/// past them the API answers 429 naming the quota in <c>error.details.error_code</c>.
/// </summary>
public sealed class QuotaTests(QuotaServerFixture server) : IClassFixture<QuotaServerFixture>
{
    private const string Message = """{"events":[{"type":"user.message","content":[{"type":"text","text":"go"}]}]}""";
    private readonly SessionApi _sessions = new(server);

    [Fact]
    public async Task A_message_that_would_start_one_session_too_many_is_refused_and_not_stored()
    {
        var (workspaceId, client) = await LimitsHttp.NewTenantAsync(server);
        var running = new List<string>();
        for (var i = 0; i < QuotaServerFixture.RunningSessions; i++)
        {
            running.Add(await RunningSessionAsync(client, workspaceId));
        }
        var idle = (string)(await _sessions.CreateAsync(client: client, workspaceId: workspaceId))["id"]!;

        var refused = await LimitsHttp.SendAsync(client, HttpMethod.Post, $"/v1/sessions/{idle}/events", Message);
        refused.AssertRateLimited("running_sessions_quota");
        Assert.Contains($"{QuotaServerFixture.RunningSessions} sessions running", (string)refused.Body!["error"]!["message"]!);
        Assert.Empty((JsonArray)(await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{idle}/events", client: client))["data"]!);

        // A running session may still be told things, and an idle one may still be interrupted.
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, $"/v1/sessions/{running[0]}/events", Message)).Status);
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, $"/v1/sessions/{idle}/events", """{"events":[{"type":"user.interrupt"}]}""")).Status);

        // Another workspace has its own quota.
        var (otherWorkspace, other) = await LimitsHttp.NewTenantAsync(server);
        var theirs = (string)(await _sessions.CreateAsync(client: other, workspaceId: otherWorkspace))["id"]!;
        Assert.Equal(200, (await LimitsHttp.SendAsync(other, HttpMethod.Post, $"/v1/sessions/{theirs}/events", Message)).Status);

        // When one stops running, the idle session may start.
        await SetStatusAsync(workspaceId, running[1], "idle");
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, $"/v1/sessions/{idle}/events", Message)).Status);
    }

    [Fact]
    public async Task A_session_whose_initial_events_would_pass_the_quota_is_not_created()
    {
        var (workspaceId, client) = await LimitsHttp.NewTenantAsync(server);
        for (var i = 0; i < QuotaServerFixture.RunningSessions; i++)
        {
            await RunningSessionAsync(client, workspaceId);
        }
        var (agentId, environmentId) = await _sessions.SeedAsync(workspaceId);
        var body = $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}","initial_events":[{"type":"user.message","content":[{"type":"text","text":"go"}]}]}""";
        (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/sessions", body)).AssertRateLimited("running_sessions_quota");
        var sessions = await server.Store.Resources.ListAsync(ResourceKind.Session, workspaceId, new ResourceQuery(10), CancellationToken.None);
        Assert.Equal(QuotaServerFixture.RunningSessions, sessions.Items.Count);
        // Without initial events it starts nothing, so it is created.
        Assert.Equal(200, (await LimitsHttp.SendAsync(client, HttpMethod.Post, "/v1/sessions", $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}"}""")).Status);
    }

    [Fact]
    public async Task A_session_takes_only_so_many_streams_and_frees_a_slot_when_one_closes()
    {
        var (workspaceId, client) = await LimitsHttp.NewTenantAsync(server);
        var id = (string)(await _sessions.CreateAsync(client: client, workspaceId: workspaceId))["id"]!;
        var open = new List<SseClient>();
        for (var i = 0; i < QuotaServerFixture.StreamsPerSession; i++)
        {
            open.Add(await OpenAsync(client, id));
        }
        (await RefusedAsync(client, id)).AssertRateLimited("session_stream_limit");

        await open[0].DisposeAsync();
        await EventuallyOpensAsync(client, id);
        await open[1].DisposeAsync();
    }

    [Fact]
    public async Task A_key_takes_only_so_many_streams_across_sessions()
    {
        var (workspaceId, client) = await LimitsHttp.NewTenantAsync(server);
        var ids = new List<string>();
        var open = new List<SseClient>();
        for (var i = 0; i < QuotaServerFixture.StreamsPerKey; i++)
        {
            ids.Add((string)(await _sessions.CreateAsync(client: client, workspaceId: workspaceId))["id"]!);
            open.Add(await OpenAsync(client, ids[i]));
        }
        (await RefusedAsync(client, ids[0])).AssertRateLimited("key_stream_limit");

        // Another key of the same workspace has its own allowance.
        var secondKey = ApiKeys.Generate();
        await server.Store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(secondKey), CancellationToken.None);
        using var second = server.CreateClient(secondKey);
        open.Add(await OpenAsync(second, ids[0]));
        foreach (var stream in open)
        {
            await stream.DisposeAsync();
        }
    }

    private async Task<string> RunningSessionAsync(HttpClient client, string workspaceId)
    {
        var id = (string)(await _sessions.CreateAsync(client: client, workspaceId: workspaceId))["id"]!;
        await SetStatusAsync(workspaceId, id, "running");
        return id;
    }

    /// <summary>What the harness does when it takes a session's turn (these tests run no workers).</summary>
    private async Task SetStatusAsync(string workspaceId, string id, string status)
    {
        var record = (await server.Store.Resources.GetAsync(ResourceKind.Session, workspaceId, id, CancellationToken.None))!;
        var json = JsonNode.Parse(record.Json)!.AsObject();
        json["status"] = status;
        Assert.True(await server.Store.Resources.ReplaceAsync(
            record with { Json = json.ToJsonString(), Session = record.Session! with { Status = status } }, record.Revision, CancellationToken.None));
    }

    private static async Task<SseClient> OpenAsync(HttpClient client, string sessionId)
    {
        var stream = await SseClient.ConnectAsync(client, $"/v1/sessions/{sessionId}/events/stream");
        Assert.Equal(200, (int)stream.Response.StatusCode);
        return stream;
    }

    private static async Task<LimitsResponse> RefusedAsync(HttpClient client, string sessionId)
    {
        using var response = await client.GetAsync($"/v1/sessions/{sessionId}/events/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.NotEqual(200, (int)response.StatusCode);
        return new LimitsResponse((int)response.StatusCode, response.Headers, ServerFixture.TryParse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>The server frees a slot when it sees the client gone, a moment after the client closes.</summary>
    private static async Task EventuallyOpensAsync(HttpClient client, string sessionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using (var response = await client.GetAsync($"/v1/sessions/{sessionId}/events/stream", HttpCompletionOption.ResponseHeadersRead))
            {
                if ((int)response.StatusCode == 200)
                {
                    return;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "The closed stream's slot was never freed.");
            await Task.Delay(50);
        }
    }
}
