using System.Text;
using Hangar.Storage;
using Npgsql;

namespace Hangar.Server.Tests.Vaults;

/// <summary>After credentials of every type are created and updated, no secret is in the database in plaintext.</summary>
public abstract class PlaintextSweepTests(VaultServerFixture server)
{
    private static readonly string[] Secrets = ["SWEEP-TOKEN-7f3a", "SWEEP-ACCESS-91bc", "SWEEP-REFRESH-44de", "SWEEP-CLIENT-0a1b", "SWEEP-VALUE-c2d3", "SWEEP-TOKEN2-e5f6", "SWEEP-GITHUB-17aa", "SWEEP-GITHUB2-88bb"];

    protected abstract Task<byte[]> DumpAsync(StoreOptions store);

    [Fact]
    public async Task No_secret_appears_in_the_stored_data()
    {
        var vault = await server.VaultAsync("sweep");
        var bearer = await server.CredentialAsync(vault, $$$$"""{"type":"static_bearer","mcp_server_url":"https://sweep.example.com/mcp","token":"{{{{Secrets[0]}}}}"}""");
        await server.CredentialAsync(vault, $$$$"""
            {"type":"mcp_oauth","mcp_server_url":"https://sweep2.example.com/mcp","access_token":"{{{{Secrets[1]}}}}",
             "refresh":{"client_id":"c","refresh_token":"{{{{Secrets[2]}}}}","token_endpoint":"https://t.example.com/token",
                        "token_endpoint_auth":{"type":"client_secret_basic","client_secret":"{{{{Secrets[3]}}}}"}}}
            """);
        await server.CredentialAsync(vault, $$$$"""
            {"type":"environment_variable","secret_name":"SWEEP","secret_value":"{{{{Secrets[4]}}}}","networking":{"type":"unrestricted"}}
            """);
        await server.OkAsync(HttpMethod.Post, $"/v1/vaults/{vault}/credentials/{(string)bearer["id"]!}",
            $$$$"""{"auth":{"type":"static_bearer","token":"{{{{Secrets[5]}}}}"}}""");
        Assert.True(await server.Store.Vaults.CountSecretsAsync(CancellationToken.None) >= 3);
        // A github_repository resource's token is sealed too, at creation and when rotated.
        var session = await new Sessions.SessionApi(server).CreateAsync(
            $$"""
            "resources":[{"type":"github_repository","url":"https://github.com/o/sweep","authorization_token":"{{Secrets[6]}}"}]
            """);
        var sessionId = (string)session["id"]!;
        var repository = (string)session["resources"]![0]!["id"]!;
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{sessionId}/resources/{repository}", $$"""{"authorization_token":"{{Secrets[7]}}"}""");
        var stored = await server.Store.Resources.GetAsync(ResourceKind.Session, server.WorkspaceId, sessionId, CancellationToken.None);
        var sealedToken = System.Text.Json.Nodes.JsonNode.Parse(stored!.Json)!["_hangar"]!["resource_tokens"]![repository]!;
        Assert.Equal(Secrets[7], Hangar.Vault.ResourceTokens.Open(new Hangar.Vault.SecretCipher(server.Key), sessionId, repository, sealedToken));

        var dump = await DumpAsync(server.Options.Store);
        Assert.True(dump.Length > 0);
        foreach (var secret in Secrets)
        {
            foreach (var form in new[] { Encoding.UTF8.GetBytes(secret), Encoding.Unicode.GetBytes(secret), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret))) })
            {
                Assert.True(dump.AsSpan().IndexOf(form) < 0, $"'{secret}' found in the stored data");
            }
        }
        // The sweep can see what is stored: the credential's public fields are there.
        Assert.True(dump.AsSpan().IndexOf("sweep.example.com"u8) >= 0);
    }
}

public sealed class SqlitePlaintextSweepTests(VaultServerFixture server) : PlaintextSweepTests(server), IClassFixture<VaultServerFixture>
{
    /// <summary>The database file and its WAL/SHM side files, as bytes on disk.</summary>
    protected override Task<byte[]> DumpAsync(StoreOptions store)
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(store.DataDirectory!, "hangar.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }
        return Task.FromResult(bytes.ToArray());
    }
}

public sealed class PostgresPlaintextSweepTests(PostgresVaultServerFixture server) : PlaintextSweepTests(server), IClassFixture<PostgresVaultServerFixture>
{
    /// <summary>Every row of every table in the database, as text (bytea shows as hex, which the sweep also checks).</summary>
    protected override async Task<byte[]> DumpAsync(StoreOptions store)
    {
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Contains("vault_secrets", tables);
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", connection);
            text.AppendLine((string)(await select.ExecuteScalarAsync())!);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
