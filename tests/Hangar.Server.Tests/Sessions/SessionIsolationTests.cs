using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Sessions;

/// <summary>A workspace never sees, changes, feeds or follows another workspace's sessions.</summary>
public abstract class SessionIsolationTests(SessionServerFixture server)
{
    private readonly SessionApi _api = new(server);

    [Fact]
    public async Task Other_workspace_gets_404_for_every_session_route_and_does_not_list_it()
    {
        var session = await _api.CreateAsync();
        var id = (string)session["id"]!;
        await _api.SendTextAsync(id, "private");
        var before = (await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}")).ToJsonString();
        var other = server.OtherClient;

        (HttpMethod Method, string Path, string? Body)[] routes =
        [
            (HttpMethod.Get, $"/v1/sessions/{id}", null),
            (HttpMethod.Post, $"/v1/sessions/{id}", """{"title":"stolen"}"""),
            (HttpMethod.Post, $"/v1/sessions/{id}/events", """{"events":[{"type":"user.interrupt"}]}"""),
            (HttpMethod.Get, $"/v1/sessions/{id}/events", null),
            (HttpMethod.Get, $"/v1/sessions/{id}/events/stream", null),
            (HttpMethod.Get, $"/v1/sessions/{id}/resources", null),
            (HttpMethod.Post, $"/v1/sessions/{id}/archive", null),
            (HttpMethod.Delete, $"/v1/sessions/{id}", null),
        ];
        foreach (var (method, path, body) in routes)
        {
            var (status, error) = await ServerFixture.SendAsync(other, method, path, body);
            Assert.True(status == 404, $"{method} {path} from the other workspace returned {status}");
            Assert.Equal("not_found_error", (string?)error?["error"]?["type"]);
        }

        var otherList = await server.OkAsync(HttpMethod.Get, "/v1/sessions?include_archived=true&limit=100", client: other);
        Assert.DoesNotContain(((JsonArray)otherList["data"]!), s => (string?)s?["id"] == id);
        Assert.Equal(before, (await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}")).ToJsonString());
        Assert.Single(await _api.EventIdsAsync(id));
    }

    [Fact]
    public async Task A_session_cannot_use_another_workspaces_agent()
    {
        var otherAgent = await SessionSeed.AgentAsync(server.Store, server.OtherWorkspaceId);
        var environment = await SessionSeed.EnvironmentAsync(server.Store, server.WorkspaceId);
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{otherAgent}}","environment_id":"{{environment}}"}""");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Other_workspace_stream_of_its_own_session_sees_nothing_of_ours()
    {
        var ours = (string)(await _api.CreateAsync())["id"]!;
        var theirs = (string)(await _api.CreateAsync(client: server.OtherClient, workspaceId: server.OtherWorkspaceId))["id"]!;
        await using var stream = await SseClient.ConnectAsync(server.OtherClient, $"/v1/sessions/{theirs}/events/stream");
        await _api.SendTextAsync(ours, "ours");
        var frame = await stream.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ping", frame?.Event);
    }
}

public sealed class SqliteSessionIsolationTests(SessionServerFixture server) : SessionIsolationTests(server), IClassFixture<SessionServerFixture>;

public sealed class PostgresSessionIsolationTests(PostgresSessionServerFixture server) : SessionIsolationTests(server), IClassFixture<PostgresSessionServerFixture>;
