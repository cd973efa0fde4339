using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Sessions;

/// <summary>What a client sees across create, read, list, update, archive and delete.</summary>
public abstract class SessionLifecycleTests(SessionServerFixture server)
{
    private static readonly string[] RequiredKeys =
    [
        "type", "id", "status", "title", "agent", "environment_id", "resources", "vault_ids", "metadata", "budget",
        "outcome_evaluations", "usage", "stats", "deployment_id", "created_at", "updated_at", "archived_at",
    ];

    private readonly SessionApi _api = new(server);

    [Fact]
    public async Task Created_session_has_every_key_the_sdk_requires_and_an_agent_snapshot()
    {
        // vault_ids must name a vault of the workspace (VaultApiTests covers the refusals).
        var vaultId = (string)(await server.OkAsync(HttpMethod.Post, "/v1/vaults", """{"display_name":"v"}"""))["id"]!;
        var session = await _api.CreateAsync($$"""{"title":null,"metadata":{"k":"v"},"vault_ids":["{{vaultId}}"]}""".Trim('{', '}'));
        foreach (var key in RequiredKeys)
        {
            Assert.True(session.ContainsKey(key), $"missing {key}");
        }
        Assert.Equal("session", (string?)session["type"]);
        Assert.Equal("idle", (string?)session["status"]);
        Assert.Null(session["budget"]);
        Assert.Equal("v", (string?)session["metadata"]!["k"]);
        Assert.Equal(vaultId, (string?)session["vault_ids"]![0]);
        var agent = (JsonObject)session["agent"]!;
        Assert.Equal(1, (int)agent["version"]!);
        Assert.False(agent.ContainsKey("metadata"));
        Assert.False(agent.ContainsKey("created_at"));
        Assert.Equal("0", (string?)session["usage"]!["list_cost"]!["amount"]);
    }

    [Fact]
    public async Task Bare_agent_id_takes_the_latest_version_and_a_pinned_version_keeps_its_config()
    {
        var (agentId, environmentId) = await _api.SeedAsync();
        await SessionSeed.AddVersionAsync(server.Store, server.WorkspaceId, agentId, 2, "You are v2.");
        var latest = await server.OkAsync(HttpMethod.Post, "/v1/sessions", $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}"}""");
        Assert.Equal(2, (int)latest["agent"]!["version"]!);
        var pinned = await server.OkAsync(HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":{"type":"agent","id":"{{agentId}}","version":1},"environment_id":"{{environmentId}}"}""");
        Assert.Equal("You are v1.", (string?)pinned["agent"]!["system"]);
        var overridden = await server.OkAsync(HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":{"type":"agent_with_overrides","id":"{{agentId}}","system":null,"model":"claude-haiku-4-5","tools":[]},"environment_id":"{{environmentId}}"}""");
        Assert.Null(overridden["agent"]!["system"]);
        Assert.Equal("claude-haiku-4-5", (string?)overridden["agent"]!["model"]!["id"]);
        Assert.Empty((JsonArray)overridden["agent"]!["tools"]!);
        Assert.Equal(2, (int)overridden["agent"]!["version"]!);
    }

    [Fact]
    public async Task Initial_events_are_appended_in_order_and_queued()
    {
        var session = await _api.CreateAsync("""
            "initial_events":[{"type":"user.define_outcome","description":"d","rubric":{"type":"text","content":"r"}},
                              {"type":"user.message","content":[{"type":"text","text":"go"}]}]
            """);
        var page = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{session["id"]}/events");
        var events = (JsonArray)page["data"]!;
        Assert.Equal(["user.define_outcome", "user.message"], events.Select(e => (string)e!["type"]!));
        Assert.NotNull((string?)events[0]!["processed_at"]);
        Assert.StartsWith("outc_", (string?)events[0]!["outcome_id"]);
        Assert.Null(events[1]!["processed_at"]);
        Assert.Null(page["next_page"]);
    }

    [Fact]
    public async Task Events_page_in_both_orders()
    {
        var id = (string)(await _api.CreateAsync())["id"]!;
        await _api.SendTextAsync(id, "1", "2", "3", "4", "5");
        var all = await _api.EventIdsAsync(id);
        foreach (var order in new[] { "asc", "desc" })
        {
            var seen = new List<string>();
            string? page = null;
            do
            {
                var body = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}/events?limit=2&order={order}" + (page is null ? "" : "&page=" + page));
                seen.AddRange(((JsonArray)body["data"]!).Select(e => (string)e!["id"]!));
                page = (string?)body["next_page"];
            }
            while (page is not null);
            Assert.Equal(order == "asc" ? all : Enumerable.Reverse(all).ToList(), seen);
        }
        var filtered = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}/events?types[]=user.interrupt");
        Assert.Empty((JsonArray)filtered["data"]!);
    }

    [Fact]
    public async Task List_filters_and_pages_newest_first_with_prev_page()
    {
        var (agentId, environmentId) = await _api.SeedAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await server.OkAsync(HttpMethod.Post, "/v1/sessions", $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}"}"""))["id"]!);
        }
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{ids[0]}/archive");
        var first = await server.OkAsync(HttpMethod.Get, $"/v1/sessions?agent_id={agentId}&limit=1");
        Assert.True(first.ContainsKey("prev_page"));
        Assert.Equal(ids[2], (string?)first["data"]![0]!["id"]);
        var second = await server.OkAsync(HttpMethod.Get, $"/v1/sessions?agent_id={agentId}&limit=1&page={first["next_page"]}");
        Assert.Equal(ids[1], (string?)second["data"]![0]!["id"]);
        Assert.Null(second["next_page"]);
        var terminated = await server.OkAsync(HttpMethod.Get, $"/v1/sessions?agent_id={agentId}&include_archived=true&statuses[]=terminated");
        Assert.Equal([ids[0]], ((JsonArray)terminated["data"]!).Select(s => (string)s!["id"]!));
    }

    [Fact]
    public async Task Update_patches_and_emits_session_updated_archive_terminates_and_blocks_events()
    {
        var id = (string)(await _api.CreateAsync("""
            "metadata":{"a":"1","b":"2"},"budget":{"type":"limit","max_list_cost":{"amount":"5000","currency":"USD"}}
            """))["id"]!;
        var updated = await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{id}",
            """{"title":"T","metadata":{"a":null,"c":"3"},"budget":{"type":"limit","max_list_cost":{"amount":"9000","currency":"USD"}},"agent":{"tools":[]}}""");
        Assert.Equal("T", (string?)updated["title"]);
        Assert.Equal("""{"b":"2","c":"3"}""", updated["metadata"]!.ToJsonString());
        Assert.Equal("9000", (string?)updated["budget"]!["max_list_cost"]!["amount"]);
        Assert.Empty((JsonArray)updated["agent"]!["tools"]!);
        var events = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}/events");
        var sessionUpdated = Assert.Single((JsonArray)events["data"]!)!;
        Assert.Equal("session.updated", (string?)sessionUpdated["type"]);
        Assert.Equal("T", (string?)sessionUpdated["title"]);

        var archived = await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{id}/archive");
        Assert.Equal("terminated", (string?)archived["status"]);
        Assert.NotNull((string?)archived["archived_at"]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{id}/events")
        {
            Content = new StringContent("""{"events":[{"type":"user.interrupt"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(409, (int)response.StatusCode);
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());

        var deleted = await server.OkAsync(HttpMethod.Delete, $"/v1/sessions/{id}");
        Assert.Equal("session_deleted", (string?)deleted["type"]);
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/sessions/{id}")).Status);
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/sessions/{id}/events")).Status);
    }

    [Fact]
    public async Task Environment_used_by_a_session_is_deleted_only_after_the_session()
    {
        var (agentId, environmentId) = await _api.SeedAsync();
        var id = (string)(await server.OkAsync(HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}"}"""))["id"]!;
        // An archived session still references its environment.
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{id}/archive");

        var (status, body) = await ServerFixture.SendAsync(server.Client, HttpMethod.Delete, $"/v1/environments/{environmentId}");
        Assert.Equal(409, status);
        Assert.Equal("conflict_error", (string?)body!["error"]!["type"]);
        Assert.Contains("used by 1 session(s)", (string?)body["error"]!["message"]);
        await server.OkAsync(HttpMethod.Get, $"/v1/environments/{environmentId}");

        await server.OkAsync(HttpMethod.Delete, $"/v1/sessions/{id}");
        var deleted = await server.OkAsync(HttpMethod.Delete, $"/v1/environments/{environmentId}");
        Assert.Equal("environment_deleted", (string?)deleted["type"]);
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/environments/{environmentId}")).Status);
    }

    [Fact]
    public async Task Resources_are_added_listed_rotated_and_removed_without_returning_tokens()
    {
        var id = (string)(await _api.CreateAsync("""
            "resources":[{"type":"github_repository","url":"https://github.com/o/repo.git","authorization_token":"ghp_secret","checkout":{"type":"branch","name":"main"}}]
            """))["id"]!;
        var fileId = await SessionSeed.FileAsync(server.Store, server.WorkspaceId);
        var file = await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{id}/resources", $$"""{"type":"file","file_id":"{{fileId}}"}""");
        Assert.Equal($"/mnt/session/uploads/{fileId}", (string?)file["mount_path"]);
        var list = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}/resources");
        var resources = (JsonArray)list["data"]!;
        Assert.Equal(2, resources.Count);
        var repo = (string)resources[0]!["id"]!;
        Assert.Equal("/workspace/repo", (string?)resources[0]!["mount_path"]);
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{id}/resources/{repo}", """{"authorization_token":"ghp_new"}""");
        var session = (await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}")).ToJsonString();
        Assert.DoesNotContain("ghp_", session);
        Assert.DoesNotContain("_hangar", session);
        var removed = await server.OkAsync(HttpMethod.Delete, $"/v1/sessions/{id}/resources/{file["id"]}");
        Assert.Equal("session_resource_deleted", (string?)removed["type"]);
        Assert.Single((JsonArray)(await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{id}/resources"))["data"]!);
    }
}

public sealed class SqliteSessionLifecycleTests(SessionServerFixture server) : SessionLifecycleTests(server), IClassFixture<SessionServerFixture>;

public sealed class PostgresSessionLifecycleTests(PostgresSessionServerFixture server) : SessionLifecycleTests(server), IClassFixture<PostgresSessionServerFixture>;
