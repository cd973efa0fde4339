using System.Net.Http.Headers;
using System.Text;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// One server holding one of each thing the bad-input tables poke at, so every row has something
/// real to miss: live and archived agents, environments, sessions and vaults; a file; a session
/// with a file resource and an event; credentials of each auth type; a self-hosted environment
/// with an environment key and a queued work item; and the second workspace's own environment,
/// agent, session, vault and file. Ids are exposed by placeholder name (<c>{agent}</c>, …).
/// </summary>
public class BadInputSeed : ServerFixture
{
    public Dictionary<string, string> Ids { get; } = [];

    protected override HangarServerOptions Configure(HangarServerOptions options) =>
        options with { MasterKeys = new SecretCipher(MasterKey.Generate()), StreamHeartbeat = TimeSpan.FromMilliseconds(300) };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ids["workspace"] = WorkspaceId;
        Ids["agent"] = await CreateAsync("/v1/agents", """{"name":"seed","model":"claude-sonnet-4-6","metadata":{"k":"v"}}""");
        Ids["archived_agent"] = await CreateAsync("/v1/agents", """{"name":"old","model":"claude-sonnet-4-6"}""");
        await OkAsync(HttpMethod.Post, $"/v1/agents/{Ids["archived_agent"]}/archive");
        Ids["env"] = await CreateAsync("/v1/environments", """{"name":"seed-env"}""");
        Ids["other_env_name"] = "seed-env-2";
        await CreateAsync("/v1/environments", """{"name":"seed-env-2"}""");
        Ids["archived_env"] = await CreateAsync("/v1/environments", """{"name":"old-env"}""");
        await OkAsync(HttpMethod.Post, $"/v1/environments/{Ids["archived_env"]}/archive");
        Ids["file"] = await UploadAsync(Client, "hello.txt");

        await SeedSessionsAsync();
        await SeedVaultsAsync();
        await SeedWorkAsync();
        await SeedOtherWorkspaceAsync();
    }

    private const string UserMessage = """{"type":"user.message","content":[{"type":"text","text":"hi"}]}""";

    private async Task SeedSessionsAsync()
    {
        var create = $$"""{"agent":"{{Ids["agent"]}}","environment_id":"{{Ids["env"]}}","resources":[{"type":"file","file_id":"{{Ids["file"]}}"}],"initial_events":[{{UserMessage}}]}""";
        var session = await OkAsync(HttpMethod.Post, "/v1/sessions", create);
        Ids["session"] = (string)session["id"]!;
        Ids["file_resource"] = (string)session["resources"]![0]!["id"]!;
        var events = await OkAsync(HttpMethod.Get, $"/v1/sessions/{Ids["session"]}/events");
        Ids["event"] = (string)events["data"]![0]!["id"]!;
        var archived = await OkAsync(HttpMethod.Post, "/v1/sessions", create);
        Ids["archived"] = (string)archived["id"]!;
        await OkAsync(HttpMethod.Post, $"/v1/sessions/{Ids["archived"]}/archive");
    }

    private async Task SeedVaultsAsync()
    {
        Ids["vault"] = await CreateAsync("/v1/vaults", """{"display_name":"Alice","metadata":{"k":"v"}}""");
        Ids["archived_vault"] = await CreateAsync("/v1/vaults", """{"display_name":"Old"}""");
        var credentials = $"/v1/vaults/{Ids["vault"]}/credentials";
        Ids["bearer"] = await CreateAsync(credentials,
            """{"display_name":"mcp","auth":{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/sse","token":"tok-secret"}}""");
        Ids["oauth"] = await CreateAsync(credentials,
            """{"display_name":"gh","auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.org/mcp","access_token":"at-secret"}}""");
        Ids["env_var"] = await CreateAsync(credentials,
            """{"display_name":"stripe","auth":{"type":"environment_variable","secret_name":"STRIPE_KEY","secret_value":"sv-secret","networking":{"type":"limited","allowed_hosts":["api.stripe.com"]}}}""");
        Ids["archived_bearer"] = await CreateAsync(credentials,
            """{"display_name":"gone","auth":{"type":"static_bearer","mcp_server_url":"https://mcp.example.net/sse","token":"tok-2"}}""");
        await OkAsync(HttpMethod.Post, $"{credentials}/{Ids["archived_bearer"]}/archive");
        await OkAsync(HttpMethod.Post, $"/v1/vaults/{Ids["archived_vault"]}/archive");
    }

    private async Task SeedWorkAsync()
    {
        Ids["sh_env"] = await CreateAsync("/v1/environments", """{"name":"self-hosted","config":{"type":"self_hosted"}}""");
        (Ids["env_key"], var key) = await WorkCredentials.CreateEnvironmentKeyAsync(
            Store.EnvironmentKeys, WorkspaceId, Ids["sh_env"], Clock.GetUtcNow(), CancellationToken.None);
        Ids["env_key_id"] = key.Id;
        var session = await OkAsync(HttpMethod.Post, "/v1/sessions", $$"""{"agent":"{{Ids["agent"]}}","environment_id":"{{Ids["sh_env"]}}"}""");
        Ids["sh_session"] = (string)session["id"]!;
        // Queued as the harness would when the session has a call for a worker.
        Ids["work"] = (await Store.Work.EnqueueAsync(WorkspaceId, Ids["sh_env"], Ids["sh_session"], Clock.GetUtcNow(), CancellationToken.None)).Id;
    }

    private async Task SeedOtherWorkspaceAsync()
    {
        Ids["other_agent"] = await CreateAsync("/v1/agents", """{"name":"theirs","model":"claude-sonnet-4-6"}""", OtherClient);
        Ids["other_env"] = await CreateAsync("/v1/environments", """{"name":"theirs"}""", OtherClient);
        Ids["other_session"] = (string)(await OkAsync(HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{Ids["other_agent"]}}","environment_id":"{{Ids["other_env"]}}"}""", OtherClient))["id"]!;
        Ids["other_vault"] = await CreateAsync("/v1/vaults", """{"display_name":"Bob"}""", OtherClient);
        Ids["other_credential"] = await CreateAsync($"/v1/vaults/{Ids["other_vault"]}/credentials",
            """{"display_name":"b","auth":{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/b","token":"tok-b"}}""", OtherClient);
        Ids["other_file"] = await UploadAsync(OtherClient, "theirs.txt");
        Ids["other_sh_env"] = await CreateAsync("/v1/environments", """{"name":"their-runner","config":{"type":"self_hosted"}}""", OtherClient);
    }

    private async Task<string> CreateAsync(string path, string json, HttpClient? client = null) =>
        (string)(await OkAsync(HttpMethod.Post, path, json, client))["id"]!;

    private static async Task<string> UploadAsync(HttpClient client, string name)
    {
        using var upload = Multipart(Encoding.UTF8.GetBytes("hello"), name);
        using var response = await client.PostAsync("/v1/files", upload);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (string)TryParse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

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
public sealed class PostgresBadInputSeed : BadInputSeed
{
    protected override Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory) => PostgresServerFixture.StoreOptionsAsync();
}

/// <summary>All SQLite tables share one seeded server; their rows run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SqliteBadInput : ICollectionFixture<BadInputSeed>
{
    public const string Name = "bad input (SQLite)";
}

[CollectionDefinition(Name)]
public sealed class PostgresBadInput : ICollectionFixture<PostgresBadInputSeed>
{
    public const string Name = "bad input (PostgreSQL)";
}
