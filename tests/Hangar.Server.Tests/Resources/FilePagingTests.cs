using System.Text.Json.Nodes;
using Hangar.Server.Tests.BadInput;
using Hangar.Server.Tests.Sessions;

namespace Hangar.Server.Tests.Resources;

/// <summary>
/// The older SDKs' file paging (<c>after_id</c> / <c>before_id</c> with <c>has_more</c>, <c>first_id</c>,
/// <c>last_id</c>) walks every file once in both directions, and expired files are neither listed nor attachable.
/// </summary>
public abstract class FilePagingTests(ServerFixture server)
{
    private static async Task<string> UploadAsync(HttpClient client, byte tag, string? expiresIn = null)
    {
        using var content = BadInputSeed.Multipart([tag], $"f{tag}.txt");
        if (expiresIn is not null)
        {
            content.Add(new StringContent(expiresIn), "expires_in_seconds");
        }
        using var response = await client.PostAsync("/v1/files", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    private static List<string> Ids(JsonObject page) => [.. page["data"]!.AsArray().Select(f => (string)f!["id"]!)];

    [Fact]
    public async Task After_id_walks_older_and_before_id_walks_newer_each_file_once()
    {
        var (_, key) = await server.AddWorkspaceAsync("files-after-before");
        using var client = server.CreateClient(key);
        var created = new List<string>();
        for (byte i = 0; i < 7; i++)
        {
            created.Add(await UploadAsync(client, i));
        }
        var newestFirst = created.AsEnumerable().Reverse().ToList();

        var forward = new List<string>();
        string? afterId = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await server.OkAsync(HttpMethod.Get, "/v1/files?limit=3" + (afterId is null ? "" : $"&after_id={afterId}"), client: client);
            forward.AddRange(Ids(page));
            if (!(bool)page["has_more"]!)
            {
                break;
            }
            afterId = (string)page["last_id"]!;
        }
        Assert.Equal(newestFirst, forward);

        var backward = new List<string>();
        var beforeId = created[0];
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await server.OkAsync(HttpMethod.Get, $"/v1/files?limit=3&before_id={beforeId}", client: client);
            var ids = Ids(page);
            Assert.Equal(ids.Order(StringComparer.Ordinal).Reverse(), ids); // every page newest first
            backward.InsertRange(0, ids);
            Assert.Null(page["next_page"]);
            if (!(bool)page["has_more"]!)
            {
                break;
            }
            beforeId = (string)page["first_id"]!;
        }
        Assert.Equal(newestFirst.SkipLast(1), backward);
    }

    [Fact]
    public async Task Expired_files_are_skipped_without_ending_the_walk_early()
    {
        var (_, key) = await server.AddWorkspaceAsync("files-expired-walk");
        using var client = server.CreateClient(key);
        var live = await UploadAsync(client, 1);
        for (byte i = 2; i < 6; i++)
        {
            await UploadAsync(client, i, expiresIn: "3600");
        }
        server.Clock.Advance(TimeSpan.FromHours(2));

        // Four expired files sit between the start and the live one: the first page still finds it.
        var page = await server.OkAsync(HttpMethod.Get, "/v1/files?limit=2", client: client);

        Assert.Equal([live], Ids(page));
        Assert.False((bool)page["has_more"]!);
        Assert.Null(page["next_page"]);
    }

    [Theory]
    [InlineData("after_id=nope", "after_id")]
    [InlineData("before_id=agent_011CZkZBJq5dWxk9fVLNcPht", "before_id")]
    [InlineData("after_id=file_011CNha8iCJcU1wXNR6q4V8w&before_id=file_011CNha8iCJcU1wXNR6q4V8w", "before_id")]
    public async Task Malformed_or_conflicting_cursors_are_a_400_naming_them(string query, string named)
    {
        var (status, body) = await ServerFixture.SendAsync(server.Client, HttpMethod.Get, "/v1/files?" + query);
        Assert.Equal(400, status);
        Assert.Contains(named, (string?)body!["error"]!["message"]);
    }

    [Fact]
    public async Task An_expired_file_cannot_be_attached_to_a_session()
    {
        var (workspaceId, key) = await server.AddWorkspaceAsync("files-expired-attach");
        using var client = server.CreateClient(key);
        var agent = await SessionSeed.AgentAsync(server.Store, workspaceId);
        var environment = await SessionSeed.EnvironmentAsync(server.Store, workspaceId);
        var file = await UploadAsync(client, 9, expiresIn: "3600");
        server.Clock.Advance(TimeSpan.FromHours(2));

        var (status, body) = await ServerFixture.SendAsync(client, HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{agent}}","environment_id":"{{environment}}","resources":[{"type":"file","file_id":"{{file}}"}]}""");

        Assert.Equal(400, status);
        Assert.Contains(file, (string?)body!["error"]!["message"]);
        Assert.Contains("resources[0].file_id", (string?)body["error"]!["message"]);
    }
}

public sealed class SqliteFilePagingTests(ServerFixture server) : FilePagingTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresFilePagingTests(PostgresServerFixture server) : FilePagingTests(server), IClassFixture<PostgresServerFixture>;
