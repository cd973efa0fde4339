using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Resources;

public abstract class EnvironmentTests(ServerFixture server)
{
    [Fact]
    public async Task Omitted_config_is_cloud_with_unrestricted_networking_and_all_six_package_lists()
    {
        var env = await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"defaults"}""");
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"cloud","networking":{"type":"unrestricted"},"packages":{"type":"packages","apt":[],"cargo":[],"gem":[],"go":[],"npm":[],"pip":[]}}"""),
            env["config"]));
        Assert.Equal("organization", (string?)env["scope"]);
        string[] keys = ["type", "id", "name", "description", "config", "metadata", "scope", "created_at", "updated_at", "archived_at"];
        Assert.Equal(keys, env.Select(p => p.Key));
    }

    [Fact]
    public async Task Partial_updates_keep_omitted_config_keys()
    {
        var env = await server.OkAsync(HttpMethod.Post, "/v1/environments", """
            {"name":"py","description":"d","config":{"type":"cloud",
              "networking":{"type":"limited","allowed_hosts":["api.example.com"],"allow_package_managers":true},
              "packages":{"pip":["pandas==2.2.0"]}}}
            """);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"limited","allowed_hosts":["api.example.com"],"allow_mcp_servers":false,"allow_package_managers":true}"""),
            env["config"]!["networking"]));
        var id = (string)env["id"]!;

        var updated = await server.OkAsync(HttpMethod.Post, $"/v1/environments/{id}", """
            {"description":null,"config":{"networking":{"type":"limited","allow_mcp_servers":true},"packages":{"npm":["left-pad"]}}}
            """);
        Assert.Null(updated["description"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"limited","allowed_hosts":["api.example.com"],"allow_mcp_servers":true,"allow_package_managers":true}"""),
            updated["config"]!["networking"]));
        Assert.Equal("pandas==2.2.0", (string?)updated["config"]!["packages"]!["pip"]![0]);
        Assert.Equal("left-pad", (string?)updated["config"]!["packages"]!["npm"]![0]);
        Assert.Equal(updated.ToJsonString(), (await server.OkAsync(HttpMethod.Get, $"/v1/environments/{id}")).ToJsonString());
    }

    [Fact]
    public async Task Self_hosted_config_is_just_its_type()
    {
        var env = await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"mine","config":{"type":"self_hosted"}}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"self_hosted"}"""), env["config"]));
    }

    [Fact]
    public async Task Archive_hides_from_the_list_and_delete_removes_and_frees_the_name()
    {
        var (_, key) = await server.AddWorkspaceAsync("env-lifecycle");
        using var client = server.CreateClient(key);
        var archivedId = (string)(await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"a"}""", client))["id"]!;
        var deletedId = (string)(await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"b"}""", client))["id"]!;

        var archived = await server.OkAsync(HttpMethod.Post, $"/v1/environments/{archivedId}/archive", client: client);
        Assert.NotNull((string?)archived["archived_at"]);
        Assert.Equal(2, (await server.OkAsync(HttpMethod.Get, "/v1/environments?include_archived=true", client: client))["data"]!.AsArray().Count);

        var deleted = await server.OkAsync(HttpMethod.Delete, $"/v1/environments/{deletedId}", client: client);
        Assert.Equal($$"""{"id":"{{deletedId}}","type":"environment_deleted"}""", deleted.ToJsonString());
        var (status, _) = await ServerFixture.SendAsync(client, HttpMethod.Get, $"/v1/environments/{deletedId}");
        Assert.Equal(404, status);
        Assert.Empty((await server.OkAsync(HttpMethod.Get, "/v1/environments", client: client))["data"]!.AsArray());
        await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"b"}""", client);
    }

    [Fact]
    public async Task The_same_name_is_free_in_another_workspace()
    {
        await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"shared-name"}""");
        await server.OkAsync(HttpMethod.Post, "/v1/environments", """{"name":"shared-name"}""", server.OtherClient);
    }
}

public sealed class SqliteEnvironmentTests(ServerFixture server) : EnvironmentTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresEnvironmentTests(PostgresServerFixture server) : EnvironmentTests(server), IClassFixture<PostgresServerFixture>;
