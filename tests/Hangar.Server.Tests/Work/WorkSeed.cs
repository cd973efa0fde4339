using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hangar.Server.Tests.Sessions;
using Hangar.Storage;

namespace Hangar.Server.Tests.Work;

/// <summary>A self-hosted environment with a key, and sessions in it whose work is queued.</summary>
public sealed class WorkSeed(ServerFixture server)
{
    public string EnvironmentId { get; private set; } = "";
    public string AgentId { get; private set; } = "";
    public string Key { get; private set; } = "";
    public string KeyId { get; private set; } = "";
    public HttpClient Worker { get; private set; } = null!;

    public static async Task<WorkSeed> CreateAsync(ServerFixture server)
    {
        var seed = new WorkSeed(server);
        seed.EnvironmentId = await SessionSeed.EnvironmentAsync(server.Store, server.WorkspaceId, "self_hosted");
        seed.AgentId = await SessionSeed.AgentAsync(server.Store, server.WorkspaceId);
        (seed.Key, var record) = await WorkCredentials.CreateEnvironmentKeyAsync(
            server.Store.EnvironmentKeys, server.WorkspaceId, seed.EnvironmentId, DateTimeOffset.UtcNow, CancellationToken.None);
        seed.KeyId = record.Id;
        seed.Worker = BearerClient(server, seed.Key);
        return seed;
    }

    /// <summary>A session in the environment, its work queued as the harness would.</summary>
    public async Task<string> QueuedSessionAsync()
    {
        var session = await server.OkAsync(HttpMethod.Post, "/v1/sessions", $$"""{"agent":"{{AgentId}}","environment_id":"{{EnvironmentId}}"}""");
        var id = (string)session["id"]!;
        await server.Store.Work.EnqueueAsync(server.WorkspaceId, EnvironmentId, id, server.Clock.GetUtcNow(), CancellationToken.None);
        return id;
    }

    public string WorkPath(string rest = "") => $"/v1/environments/{EnvironmentId}/work{rest}";

    public async Task<JsonObject?> PollAsync(HttpClient? worker = null, string query = "", string workerId = "worker-a")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WorkPath("/poll" + query));
        request.Headers.Add("Anthropic-Worker-ID", workerId);
        using var response = await (worker ?? Worker).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"poll returned {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text) as JsonObject;
    }

    /// <summary>The sessions token inside a polled item's <c>secret</c>.</summary>
    public static string SessionsToken(JsonObject work)
    {
        var secret = JsonNode.Parse(Base64Url.DecodeFromChars((string)work["secret"]!))!;
        return (string)secret["sessions_token"]!;
    }

    public static HttpClient BearerClient(ServerFixture server, string credential)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return client;
    }
}
