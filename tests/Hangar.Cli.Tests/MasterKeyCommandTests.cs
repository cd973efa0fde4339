using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Hangar.Cli.Tests;

/// <summary>
/// <c>hangar serve</c> on a fresh data directory with no HANGAR_MASTER_KEY generates a private key and seals
/// repository tokens with it; <c>hangar vault rotate-key</c> seals a token an older version left in plaintext;
/// a key file others can read stops the server from starting.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class MasterKeyCommandTests
{
    private const string BootstrapKey = "sk-master-key-test";
    private const string Token = "ghp_CLI-FRESH-START-3b8e";
    private const string Legacy = "ghp_CLI-LEGACY-PLAIN-a41d";
    private static readonly Dictionary<string, string?> NoKey = new()
    {
        ["HANGAR_MASTER_KEY"] = null,
        ["HANGAR_MASTER_KEY_FILE"] = null,
        ["HANGAR_MASTER_KEY_PREVIOUS"] = null,
    };

    [Fact]
    public async Task A_fresh_start_generates_a_private_key_rotate_key_seals_legacy_plaintext_and_a_readable_key_is_refused()
    {
        using var data = new TempDirectory();
        var keyFile = Path.Combine(data.Path, "master.key");
        string session;
        await using (var server = await RunningServer.StartAsync(["--data", data.Path], BootstrapKey, BootstrapKey, env: NoKey))
        {
            // The server's log (stdout) says once where the key is and what to do about it.
            var said = server.Process.Stdout + server.Process.Stderr;
            Assert.Contains("Generated a master key", said);
            Assert.Contains(keyFile, said);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            using var http = server.Client(BootstrapKey);
            var agent = (await http.PostAsync("/v1/agents", new JsonObject { ["name"] = "k", ["model"] = "claude-sonnet-4-5" }))["id"]!.GetValue<string>();
            var environment = (await http.PostAsync("/v1/environments", new JsonObject { ["name"] = "k" }))["id"]!.GetValue<string>();
            session = (await http.PostAsync("/v1/sessions", JsonNode.Parse($$"""
                {"agent":"{{agent}}","environment_id":"{{environment}}",
                 "resources":[{"type":"github_repository","url":"https://github.com/o/r","authorization_token":"{{Token}}"}]}
                """)!))["id"]!.GetValue<string>();
        }
        Assert.DoesNotContain(Token, DatabaseText(data.Path), StringComparison.Ordinal);

        // What a version before this one stored without a key: the token as a plain string.
        await RewriteTokensAsync(data.Path, session, tokens =>
        {
            foreach (var name in tokens.Select(t => t.Key).ToList())
                tokens[name] = Legacy;
        });
        Assert.Contains(Legacy, DatabaseText(data.Path), StringComparison.Ordinal);
        var (exit, _, stderr) = await HangarProcess.RunAsync(["vault", "rotate-key", "--data", data.Path], NoKey);
        Assert.True(exit == 0, stderr);
        Assert.Contains("1 found in plaintext and encrypted", stderr);
        Assert.DoesNotContain(Legacy, DatabaseText(data.Path), StringComparison.Ordinal);

        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (refusedExit, _, refusal) = await HangarProcess.RunAsync(["serve", "--port", "0", "--no-workers", "--data", data.Path], NoKey);
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("chmod 600", refusal);
    }

    private static async Task RewriteTokensAsync(string dataDirectory, string sessionId, Action<JsonObject> change)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "hangar.db")};Pooling=False");
        await connection.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT json FROM resources WHERE id = $id";
        select.Parameters.AddWithValue("$id", sessionId);
        var json = JsonNode.Parse((string)(await select.ExecuteScalarAsync())!)!.AsObject();
        change(json["_hangar"]!["resource_tokens"]!.AsObject());
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE resources SET json = $json WHERE id = $id";
        update.Parameters.AddWithValue("$json", json.ToJsonString());
        update.Parameters.AddWithValue("$id", sessionId);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
    }

    /// <summary>The database file and its WAL as text, so a plaintext token anywhere in them shows.</summary>
    private static string DatabaseText(string dataDirectory)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(dataDirectory, "hangar.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            text.Append(Encoding.Latin1.GetString(copy.ToArray()));
        }
        return text.ToString();
    }
}
