using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Resources;

public abstract class AgentTests(ServerFixture server)
{
    private Task<JsonObject> CreateAsync(string json) => server.OkAsync(HttpMethod.Post, "/v1/agents", json);

    [Fact]
    public async Task Create_answers_the_full_agent_with_model_and_tools_in_response_form()
    {
        var agent = await CreateAsync("""
            {"name":"Coder","model":"claude-opus-4-6","system":"Be brief.",
             "tools":[{"type":"agent_toolset_20260401","configs":[{"name":"bash","permission_policy":{"type":"always_ask"}},
                       {"name":"web_fetch","allowed_domains":["docs.example.com"]}]},
                      {"type":"mcp_toolset","mcp_server_name":"github"},
                      {"type":"custom","name":"lookup_order","description":"Look up","input_schema":{"type":"object"}}],
             "mcp_servers":[{"type":"url","name":"github","url":"https://api.githubcopilot.com/mcp/"}],
             "skills":[{"type":"anthropic","skill_id":"xlsx"}]}
            """);

        string[] keys = ["type", "id", "version", "name", "description", "system", "model", "tools", "mcp_servers", "skills",
            "multiagent", "execution_identity", "metadata", "created_at", "updated_at", "archived_at"];
        Assert.Equal(keys, agent.Select(p => p.Key));
        Assert.StartsWith("agent_01", (string?)agent["id"]);
        Assert.Equal(1, (int)agent["version"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"claude-opus-4-6","effort":{"type":"high"},"speed":"standard"}"""), agent["model"]));
        var toolset = agent["tools"]![0]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled":true,"permission_policy":{"type":"always_allow"}}"""), toolset["default_config"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"bash","name":"bash","enabled":true,"permission_policy":{"type":"always_ask"}}"""), toolset["configs"]![0]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"web_fetch","name":"web_fetch","enabled":true,"permission_policy":{"type":"always_allow"},"allowed_domains":["docs.example.com"],"url_sources":null}"""),
            toolset["configs"]![1]));
        Assert.Equal("always_ask", (string?)agent["tools"]![1]!["default_config"]!["permission_policy"]!["type"]);
        Assert.Equal("latest", (string?)agent["skills"]![0]!["version"]);
        Assert.Equal("service_account", (string?)agent["execution_identity"]!["type"]);

        var fetched = await server.OkAsync(HttpMethod.Get, $"/v1/agents/{agent["id"]}");
        Assert.Equal(agent.ToJsonString(), fetched.ToJsonString());
    }

    [Fact]
    public async Task Updates_make_immutable_versions_and_a_no_op_update_makes_none()
    {
        var agent = await CreateAsync("""{"name":"v","model":{"id":"m1","effort":"low"},"description":"first"}""");
        var id = (string)agent["id"]!;

        var same = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{id}", """{"version":1,"name":"v","description":"first"}""");
        Assert.Equal(agent.ToJsonString(), same.ToJsonString());

        var second = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{id}", """{"version":1,"model":{"id":"m2"},"description":null}""");
        Assert.Equal(2, (int)second["version"]!);
        Assert.Null(second["description"]);
        Assert.Equal("low", (string?)second["model"]!["effort"]!["type"]); // omitted effort is kept

        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/agents/{id}", """{"version":1,"name":"stale"}""");
        Assert.Equal(409, status);

        var first = await server.OkAsync(HttpMethod.Get, $"/v1/agents/{id}?version=1");
        Assert.Equal(agent.ToJsonString(), first.ToJsonString());
        var versions = await server.OkAsync(HttpMethod.Get, $"/v1/agents/{id}/versions");
        Assert.Equal([1, 2], versions["data"]!.AsArray().Select(v => (int)v!["version"]!));
        Assert.Equal(second.ToJsonString(), versions["data"]![1]!.ToJsonString());
        Assert.Null(versions["next_page"]);
    }

    [Fact]
    public async Task Concurrent_updates_from_the_same_version_let_exactly_one_win()
    {
        var id = (string)(await CreateAsync("""{"name":"race","model":"m"}"""))["id"]!;
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/agents/{id}", $"{{\"version\":1,\"name\":\"n{i}\"}}")));
        Assert.Single(results, r => r.Status == 200);
        Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal("conflict_error", (string?)r.Body!["error"]!["type"]));
        var versions = await server.OkAsync(HttpMethod.Get, $"/v1/agents/{id}/versions");
        Assert.Equal(2, versions["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Metadata_updates_are_patches()
    {
        var id = (string)(await CreateAsync("""{"name":"m","model":"m","metadata":{"a":"1","b":"2"}}"""))["id"]!;
        var updated = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{id}", """{"metadata":{"a":null,"c":"3"}}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"b":"2","c":"3"}"""), updated["metadata"]));
        var unchanged = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{id}", """{"metadata":null}""");
        Assert.Equal(updated.ToJsonString(), unchanged.ToJsonString());
    }

    [Fact]
    public async Task Archived_agents_leave_the_default_list_and_become_read_only()
    {
        var (_, key) = await server.AddWorkspaceAsync("agents-archive");
        using var client = server.CreateClient(key);
        var keep = (string)(await server.OkAsync(HttpMethod.Post, "/v1/agents", """{"name":"keep","model":"m"}""", client))["id"]!;
        var gone = (string)(await server.OkAsync(HttpMethod.Post, "/v1/agents", """{"name":"gone","model":"m"}""", client))["id"]!;

        var archived = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{gone}/archive", client: client);
        Assert.NotNull((string?)archived["archived_at"]);
        Assert.Equal(1, (int)archived["version"]!);
        var again = await server.OkAsync(HttpMethod.Post, $"/v1/agents/{gone}/archive", client: client);
        Assert.Equal(archived.ToJsonString(), again.ToJsonString());

        var live = await server.OkAsync(HttpMethod.Get, "/v1/agents", client: client);
        Assert.Equal([keep], live["data"]!.AsArray().Select(a => (string)a!["id"]!));
        var all = await server.OkAsync(HttpMethod.Get, "/v1/agents?include_archived=true", client: client);
        Assert.Equal(2, all["data"]!.AsArray().Count);
        var version = await server.OkAsync(HttpMethod.Get, $"/v1/agents/{gone}?version=1", client: client);
        Assert.Equal((string?)archived["archived_at"], (string?)version["archived_at"]);
    }

    [Fact]
    public async Task Listing_pages_through_every_agent_once()
    {
        var (_, key) = await server.AddWorkspaceAsync("agents-paging");
        using var client = server.CreateClient(key);
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((string)(await server.OkAsync(HttpMethod.Post, "/v1/agents", $"{{\"name\":\"a{i}\",\"model\":\"m\"}}", client))["id"]!);
        }
        var seen = new List<string>();
        var sizes = new List<int>();
        string? page = null;
        do
        {
            var body = await server.OkAsync(HttpMethod.Get, "/v1/agents?limit=3" + (page is null ? "" : "&page=" + page), client: client);
            var ids = body["data"]!.AsArray().Select(a => (string)a!["id"]!).ToList();
            sizes.Add(ids.Count);
            seen.AddRange(ids);
            page = (string?)body["next_page"];
        }
        while (page is not null && sizes.Count < 10);

        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(created.AsEnumerable().Reverse(), seen); // newest first, no duplicates or gaps
    }
}

public sealed class SqliteAgentTests(ServerFixture server) : AgentTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresAgentTests(PostgresServerFixture server) : AgentTests(server), IClassFixture<PostgresServerFixture>;
