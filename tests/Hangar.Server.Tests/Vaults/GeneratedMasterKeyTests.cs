using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>
/// Without HANGAR_MASTER_KEY the embedded SQLite store gets a generated key (the fixture sets none, as a
/// fresh install wouldn't), so a repository token is sealed, never kept in plaintext.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GeneratedMasterKeyTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Token = "ghp_GENERATED-KEY-CHECK-5c1e";

    [Fact]
    public async Task A_fresh_start_without_a_key_generates_a_private_key_file_and_seals_repository_tokens()
    {
        var dataDirectory = server.Options.Store.DataDirectory!;
        var keyFile = Path.Combine(dataDirectory, LocalMasterKey.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var key = MasterKey.Parse(await File.ReadAllTextAsync(keyFile), keyFile);

        var session = await new Sessions.SessionApi(server).CreateAsync(
            $$"""
            "resources":[{"type":"github_repository","url":"https://github.com/o/generated","authorization_token":"{{Token}}"}]
            """);
        var sessionId = (string)session["id"]!;
        var repository = (string)session["resources"]![0]!["id"]!;

        // The raw database (and its WAL) never holds the token; the stored row holds it sealed under the generated key.
        Assert.DoesNotContain(Token, ReadDatabaseFiles(dataDirectory), StringComparison.Ordinal);
        var stored = await server.Store.Resources.GetAsync(ResourceKind.Session, server.WorkspaceId, sessionId, CancellationToken.None);
        var sealedToken = JsonNode.Parse(stored!.Json)!["_hangar"]!["resource_tokens"]![repository]!;
        Assert.Equal(key.Id, (string?)sealedToken["key_id"]);
        Assert.Equal(Token, ResourceTokens.Open(new SecretCipher(key), sessionId, repository, sealedToken));

        // A second process on the same data directory reads the same key instead of making another.
        var notices = new List<string>();
        var again = MasterKeys.ForStore(server.Options.Store, notices.Add, _ => null);
        Assert.Equal(key.Id, again.Current!.Id);
        Assert.Empty(notices);
    }

    private static string ReadDatabaseFiles(string dataDirectory)
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
