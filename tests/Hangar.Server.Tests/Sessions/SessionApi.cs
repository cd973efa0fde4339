using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Sessions;

/// <summary>Session calls the tests repeat, over the real HTTP API.</summary>
public sealed class SessionApi(ServerFixture server)
{
    public async Task<(string AgentId, string EnvironmentId)> SeedAsync(string? workspaceId = null)
    {
        var workspace = workspaceId ?? server.WorkspaceId;
        return (await SessionSeed.AgentAsync(server.Store, workspace), await SessionSeed.EnvironmentAsync(server.Store, workspace));
    }

    public async Task<JsonObject> CreateAsync(string? extra = null, HttpClient? client = null, string? workspaceId = null)
    {
        var (agentId, environmentId) = await SeedAsync(workspaceId);
        var body = $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}"{{(extra is null ? "" : "," + extra)}}}""";
        return await server.OkAsync(HttpMethod.Post, "/v1/sessions", body, client);
    }

    public Task<JsonObject> SendTextAsync(string sessionId, params string[] texts)
    {
        var events = string.Join(",", texts.Select(t => $$"""{"type":"user.message","content":[{"type":"text","text":"{{t}}"}]}"""));
        return server.OkAsync(HttpMethod.Post, $"/v1/sessions/{sessionId}/events", $$"""{"events":[{{events}}]}""");
    }

    public async Task<List<string>> EventIdsAsync(string sessionId)
    {
        var page = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{sessionId}/events?limit=1000");
        return [.. ((JsonArray)page["data"]!).Select(e => (string)e!["id"]!)];
    }
}
