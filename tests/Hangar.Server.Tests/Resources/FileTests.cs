using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hangar.Server.Tests.BadInput;

namespace Hangar.Server.Tests.Resources;

public abstract class FileTests(ServerFixture server)
{
    private async Task<JsonObject> UploadAsync(HttpClient client, byte[] bytes, string filename, string? contentType = null, string? expiresIn = null)
    {
        using var content = BadInputSeed.Multipart(bytes, filename, contentType);
        if (expiresIn is not null)
        {
            content.Add(new StringContent(expiresIn), "expires_in_seconds");
        }
        using var response = await client.PostAsync("/v1/files", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return Assert.IsType<JsonObject>(JsonNode.Parse(text));
    }

    [Fact]
    public async Task Upload_then_download_returns_the_same_bytes_type_and_name()
    {
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        var file = await UploadAsync(server.Client, bytes, "chart.png");
        Assert.Equal("image/png", (string?)file["mime_type"]); // guessed from the extension
        Assert.Equal(bytes.Length, (long)file["size_bytes"]!);
        Assert.True((bool)file["downloadable"]!);
        Assert.Null(file["expires_at"]);

        using var response = await server.Client.GetAsync($"/v1/files/{file["id"]}/content");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("chart.png", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(file.ToJsonString(), (await server.OkAsync(HttpMethod.Get, $"/v1/files/{file["id"]}")).ToJsonString());
    }

    [Fact]
    public async Task The_part_content_type_wins_over_the_extension()
    {
        var file = await UploadAsync(server.Client, [1, 2, 3], "data.bin", "text/csv");
        Assert.Equal("text/csv", (string?)file["mime_type"]);
        var unknown = await UploadAsync(server.Client, [1], "blob.zzz");
        Assert.Equal("application/octet-stream", (string?)unknown["mime_type"]);
    }

    [Fact]
    public async Task Expired_files_answer_404_file_expired_and_leave_the_list()
    {
        var (_, key) = await server.AddWorkspaceAsync("files-expiry");
        using var client = server.CreateClient(key);
        var file = await UploadAsync(client, [42], "soon.txt", expiresIn: "3600");
        Assert.NotNull((string?)file["expires_at"]);
        Assert.Single((await server.OkAsync(HttpMethod.Get, "/v1/files", client: client))["data"]!.AsArray());

        server.Clock.Advance(TimeSpan.FromHours(2));
        foreach (var path in new[] { $"/v1/files/{file["id"]}", $"/v1/files/{file["id"]}/content" })
        {
            var (status, body) = await ServerFixture.SendAsync(client, HttpMethod.Get, path);
            Assert.Equal(404, status);
            Assert.Equal("file_expired", (string?)body!["error"]!["details"]!["error_code"]);
        }
        Assert.Empty((await server.OkAsync(HttpMethod.Get, "/v1/files", client: client))["data"]!.AsArray());
    }

    [Fact]
    public async Task Listing_pages_with_has_more_first_and_last_ids_and_ids_filter()
    {
        var (_, key) = await server.AddWorkspaceAsync("files-paging");
        using var client = server.CreateClient(key);
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((string)(await UploadAsync(client, [(byte)i], $"f{i}.txt"))["id"]!);
        }
        var first = await server.OkAsync(HttpMethod.Get, "/v1/files?limit=2", client: client);
        Assert.True((bool)first["has_more"]!);
        Assert.Equal(created[4], (string?)first["first_id"]);
        Assert.Equal(created[3], (string?)first["last_id"]);
        var seen = first["data"]!.AsArray().Select(f => (string)f!["id"]!).ToList();
        var page = (string?)first["next_page"];
        while (page is not null && seen.Count < 20)
        {
            var next = await server.OkAsync(HttpMethod.Get, $"/v1/files?limit=2&page={page}", client: client);
            seen.AddRange(next["data"]!.AsArray().Select(f => (string)f!["id"]!));
            page = (string?)next["next_page"];
            Assert.Equal(page is not null, (bool)next["has_more"]!);
        }
        Assert.Equal(created.AsEnumerable().Reverse(), seen);

        var picked = await server.OkAsync(HttpMethod.Get, $"/v1/files?ids[]={created[0]}&ids[]={created[2]}", client: client);
        Assert.Equal(new[] { created[0], created[2] }.Order(), picked["data"]!.AsArray().Select(f => (string)f!["id"]!).Order());
    }

    [Fact]
    public async Task Delete_removes_metadata_and_content()
    {
        var id = (string)(await UploadAsync(server.Client, [1, 2], "gone.txt"))["id"]!;
        var deleted = await server.OkAsync(HttpMethod.Delete, $"/v1/files/{id}");
        Assert.Equal($$"""{"id":"{{id}}","type":"file_deleted"}""", deleted.ToJsonString());
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/files/{id}")).Status);
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/files/{id}/content")).Status);
    }
}

public sealed class SqliteFileTests(ServerFixture server) : FileTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresFileTests(PostgresServerFixture server) : FileTests(server), IClassFixture<PostgresServerFixture>;
