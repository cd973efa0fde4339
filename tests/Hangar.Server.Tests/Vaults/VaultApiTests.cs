using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Vaults;

public abstract class VaultApiTests(VaultServerFixture server)
{
    private static readonly string[] VaultKeys = ["type", "id", "display_name", "metadata", "created_at", "updated_at", "archived_at"];
    private static readonly string[] CredentialKeys =
        ["type", "id", "vault_id", "display_name", "auth", "metadata", "created_at", "updated_at", "archived_at"];

    [Fact]
    public async Task Vault_lifecycle_has_the_wire_shapes()
    {
        var vault = await server.OkAsync(HttpMethod.Post, "/v1/vaults", """{"display_name":"Alice","metadata":{"team":"a"}}""");
        Assert.Equal(VaultKeys, vault.Select(p => p.Key));
        Assert.Equal("vault", (string?)vault["type"]);
        Assert.StartsWith("vlt_01", (string)vault["id"]!);
        var id = (string)vault["id"]!;

        var updated = await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{id}", """{"display_name":"Bob","metadata":{"team":null,"x":"1"}}""");
        Assert.Equal("Bob", (string?)updated["display_name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"x":"1"}"""), updated["metadata"]));
        Assert.True(JsonNode.DeepEquals(updated, await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{id}")));

        var archived = await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{id}/archive");
        Assert.NotNull((string?)archived["archived_at"]);
        var list = await server.OkAsync(HttpMethod.Get, "/v1/vaults?limit=100");
        Assert.DoesNotContain(list["data"]!.AsArray(), v => (string?)v!["id"] == id);
        Assert.True(list.ContainsKey("next_page"));
        var withArchived = await server.OkAsync(HttpMethod.Get, "/v1/vaults?limit=100&include_archived=true");
        Assert.Contains(withArchived["data"]!.AsArray(), v => (string?)v!["id"] == id);

        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{id}", """{"display_name":"C"}""");
        Assert.Equal(400, status);
        var deleted = await server.OkAsync(HttpMethod.Delete, $"/v1/vaults/{id}");
        Assert.Equal($$"""{"id":"{{id}}","type":"vault_deleted"}""", deleted.ToJsonString());
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/vaults/{id}")).Status);
    }

    [Fact]
    public async Task Credentials_of_each_type_never_echo_their_secrets()
    {
        var vaultId = await server.VaultAsync();
        var oauth = await server.CredentialAsync(vaultId, """
            {"type":"mcp_oauth","mcp_server_url":"https://api.example.com/mcp/","access_token":"SECRET-AT-1","expires_at":"2026-05-01T00:00:00+00:00",
             "refresh":{"client_id":"abc","refresh_token":"SECRET-RT-1","token_endpoint":"https://example.com/token",
                        "token_endpoint_auth":{"type":"client_secret_post","client_secret":"SECRET-CS-1"}}}
            """);
        Assert.Equal(CredentialKeys, oauth.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"mcp_oauth","mcp_server_url":"https://api.example.com/mcp/","expires_at":"2026-05-01T00:00:00.000Z",
             "refresh":{"client_id":"abc","token_endpoint":"https://example.com/token","token_endpoint_auth":{"type":"client_secret_post"},"scope":null,"resource":null}}
            """), oauth["auth"]));
        var bearer = await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://other.example.com/mcp","token":"SECRET-TK-1"}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"static_bearer","mcp_server_url":"https://other.example.com/mcp"}"""), bearer["auth"]));
        var env = await server.CredentialAsync(vaultId, """
            {"type":"environment_variable","secret_name":"STRIPE_KEY","secret_value":"SECRET-SV-1",
             "networking":{"type":"limited","allowed_hosts":["api.stripe.com"]},"injection_location":{"header":true}}
            """);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"environment_variable","secret_name":"STRIPE_KEY","networking":{"type":"limited","allowed_hosts":["api.stripe.com"]},
             "injection_location":{"header":true,"body":false}}
            """), env["auth"]));

        var responses = new List<string> { oauth.ToJsonString(), bearer.ToJsonString(), env.ToJsonString() };
        var bearerId = (string)bearer["id"]!;
        responses.Add((await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials/{bearerId}",
            """{"auth":{"type":"static_bearer","token":"SECRET-TK-2"},"display_name":null}""")).ToJsonString());
        responses.Add((await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials/{(string)oauth["id"]!}",
            """{"auth":{"type":"mcp_oauth","access_token":"SECRET-AT-2","refresh":{"refresh_token":"SECRET-RT-2"}}}""")).ToJsonString());
        responses.Add((await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials")).ToJsonString());
        responses.Add((await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials/{bearerId}")).ToJsonString());
        foreach (var response in responses)
        {
            Assert.DoesNotContain("SECRET-", response);
            Assert.DoesNotContain("token\":", response.Replace("\"token_endpoint\":", "", StringComparison.Ordinal));
        }
        var list = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials");
        Assert.Equal(3, list["data"]!.AsArray().Count);
        Assert.Null(list["next_page"]);
    }

    [Fact]
    public async Task Updates_keep_the_type_and_the_matching_key()
    {
        var vaultId = await server.VaultAsync();
        var bearer = await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://a.example.com/mcp","token":"t"}""");
        var path = $"/v1/vaults/{vaultId}/credentials/{(string)bearer["id"]!}";
        var (status, body) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, path,
            """{"auth":{"type":"mcp_oauth","access_token":"x"}}""");
        Assert.Equal(400, status);
        Assert.Equal("invalid_config_type_change", (string?)body!["error"]!["details"]!["error_code"]);
        (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, path,
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://b.example.com/mcp"}}""");
        Assert.Equal(400, status);
        // The same URL (trailing slash aside) is not a change.
        await server.OkAsync(HttpMethod.Post, path, """{"auth":{"type":"static_bearer","mcp_server_url":"https://A.example.com/mcp/"}}""");
    }

    [Fact]
    public async Task A_key_is_unique_among_active_credentials_and_a_vault_holds_at_most_20()
    {
        var vaultId = await server.VaultAsync();
        var first = await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://dup.example.com/mcp","token":"t"}""");
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials",
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://DUP.example.com:443/mcp/","token":"t"}}""");
        Assert.Equal(409, status);
        await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials/{(string)first["id"]!}/archive");
        await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://dup.example.com/mcp","token":"t"}""");
        for (var i = 1; i < 20; i++)
        {
            await server.CredentialAsync(vaultId, $$"""{"type":"static_bearer","mcp_server_url":"https://s{{i}}.example.com/mcp","token":"t"}""");
        }
        (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials",
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://s21.example.com/mcp","token":"t"}}""");
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Archiving_a_vault_archives_its_credentials_and_purges_their_secrets()
    {
        var vaultId = await server.VaultAsync();
        var credential = await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://p.example.com/mcp","token":"t"}""");
        var credentialId = (string)credential["id"]!;
        Assert.NotNull(await server.Store.Vaults.GetSecretAsync(server.WorkspaceId, credentialId, CancellationToken.None));
        await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/archive");
        var after = await server.OkAsync(HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials/{credentialId}");
        Assert.NotNull((string?)after["archived_at"]);
        Assert.Null(await server.Store.Vaults.GetSecretAsync(server.WorkspaceId, credentialId, CancellationToken.None));
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials",
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://q.example.com/mcp","token":"t"}}""");
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Another_workspace_sees_only_404s()
    {
        var vaultId = await server.VaultAsync();
        var credentialId = (string)(await server.CredentialAsync(vaultId, """{"type":"static_bearer","mcp_server_url":"https://i.example.com/mcp","token":"t"}"""))["id"]!;
        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, $"/v1/vaults/{vaultId}", null),
            (HttpMethod.Post, $"/v1/vaults/{vaultId}", """{"display_name":"x"}"""),
            (HttpMethod.Post, $"/v1/vaults/{vaultId}/archive", null),
            (HttpMethod.Delete, $"/v1/vaults/{vaultId}", null),
            (HttpMethod.Get, $"/v1/vaults/{vaultId}/audit", null),
            (HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials", null),
            (HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials", """{"auth":{"type":"static_bearer","mcp_server_url":"https://j.example.com","token":"t"}}"""),
            (HttpMethod.Get, $"/v1/vaults/{vaultId}/credentials/{credentialId}", null),
            (HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials/{credentialId}/archive", null),
            (HttpMethod.Delete, $"/v1/vaults/{vaultId}/credentials/{credentialId}", null),
        })
        {
            var (status, _) = await ServerFixture.SendAsync(server.OtherClient, method, path, body);
            Assert.True(status == 404, $"{method} {path} gave {status}");
        }
        Assert.Empty((await server.OkAsync(HttpMethod.Get, "/v1/vaults", client: server.OtherClient))["data"]!.AsArray());
        // A credential id under another vault of the same workspace is a 404 too.
        var otherVault = await server.VaultAsync("other");
        Assert.Equal(404, (await ServerFixture.SendAsync(server.Client, HttpMethod.Get, $"/v1/vaults/{otherVault}/credentials/{credentialId}")).Status);
    }

    [Fact]
    public async Task Sessions_accept_only_this_workspaces_active_vaults()
    {
        var sessions = new Sessions.SessionApi(server);
        var vaultId = await server.VaultAsync();
        var session = await sessions.CreateAsync($$"""
            "vault_ids":["{{vaultId}}"]
            """);
        Assert.Equal(vaultId, (string?)session["vault_ids"]![0]);

        var (agentId, environmentId) = await sessions.SeedAsync(server.OtherWorkspaceId);
        var (status, _) = await ServerFixture.SendAsync(server.OtherClient, HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}","vault_ids":["{{vaultId}}"]}""");
        Assert.Equal(404, status);

        (agentId, environmentId) = await sessions.SeedAsync();
        await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/archive");
        (status, var body) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{agentId}}","environment_id":"{{environmentId}}","vault_ids":["{{vaultId}}"]}""");
        Assert.Equal(400, status);
        Assert.Equal("vault_archived", (string?)body!["error"]!["details"]!["error_code"]);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"auth":{"type":"basic"}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com"}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"ftp://x.example.com","token":"t"}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"https://u:p@x.example.com","token":"t"}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com","token":""}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com","token":"t","extra":1}}""")]
    [InlineData("""{"auth":{"type":"mcp_oauth","mcp_server_url":"https://x.example.com","access_token":"a","expires_at":"soon"}}""")]
    [InlineData("""{"auth":{"type":"mcp_oauth","mcp_server_url":"https://x.example.com","access_token":"a","refresh":{"client_id":"c","refresh_token":"r","token_endpoint":"https://t.example.com","token_endpoint_auth":{"type":"client_secret_basic"}}}}""")]
    [InlineData("""{"auth":{"type":"environment_variable","secret_name":"1BAD","secret_value":"v","networking":{"type":"unrestricted"}}}""")]
    [InlineData("""{"auth":{"type":"environment_variable","secret_name":"K","secret_value":"v"}}""")]
    [InlineData("""{"auth":{"type":"environment_variable","secret_name":"K","secret_value":"v","networking":{"type":"unrestricted"},"injection_location":{"header":false,"body":false}}}""")]
    [InlineData("""{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com","token":"t"},"metadata":{"k":1}}""")]
    public async Task Bad_credential_bodies_are_400s(string body)
    {
        var vaultId = await server.VaultAsync();
        var (status, response) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials", body);
        Assert.True(status == 400, $"{body} gave {status}: {response?.ToJsonString()}");
        Assert.Equal("invalid_request_error", (string?)response!["error"]!["type"]);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"display_name":""}""")]
    [InlineData("""{"display_name":"a","unknown":1}""")]
    public async Task Bad_vault_bodies_are_400s(string body)
    {
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, "/v1/vaults", body);
        Assert.Equal(400, status);
    }
}

public sealed class SqliteVaultApiTests(VaultServerFixture server) : VaultApiTests(server), IClassFixture<VaultServerFixture>;

public sealed class PostgresVaultApiTests(PostgresVaultServerFixture server) : VaultApiTests(server), IClassFixture<PostgresVaultServerFixture>;
