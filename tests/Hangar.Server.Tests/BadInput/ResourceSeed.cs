using System.Net.Http.Headers;
using System.Text;
using Hangar.Storage;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// A server holding one of each resource the agent/environment/file table pokes at: a live and
/// an archived agent, a live and an archived environment, a file. Ids are exposed by placeholder name.
/// </summary>
public class ResourceSeed : ServerFixture
{
    public Dictionary<string, string> Ids { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ids["agent"] = await CreateAsync("/v1/agents", """{"name":"seed","model":"claude-sonnet-4-6","metadata":{"k":"v"}}""");
        Ids["archived_agent"] = await CreateAsync("/v1/agents", """{"name":"old","model":"claude-sonnet-4-6"}""");
        await OkAsync(HttpMethod.Post, $"/v1/agents/{Ids["archived_agent"]}/archive");
        Ids["env"] = await CreateAsync("/v1/environments", """{"name":"seed-env"}""");
        Ids["other_env_name"] = "seed-env-2";
        await CreateAsync("/v1/environments", """{"name":"seed-env-2"}""");
        Ids["archived_env"] = await CreateAsync("/v1/environments", """{"name":"old-env"}""");
        await OkAsync(HttpMethod.Post, $"/v1/environments/{Ids["archived_env"]}/archive");
        using var upload = Multipart(Encoding.UTF8.GetBytes("hello"), "hello.txt");
        using var response = await Client.PostAsync("/v1/files", upload);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Ids["file"] = (string)TryParse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

    private async Task<string> CreateAsync(string path, string json) =>
        (string)(await OkAsync(HttpMethod.Post, path, json))["id"]!;

    public static MultipartFormDataContent Multipart(byte[] bytes, string filename, string? contentType = null, string partName = "file")
    {
        var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        content.Add(part, partName, filename);
        return content;
    }
}

/// <summary>The same seed over PostgreSQL.</summary>
public sealed class PostgresResourceSeed : ResourceSeed
{
    protected override Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory) => PostgresServerFixture.StoreOptionsAsync();
}
