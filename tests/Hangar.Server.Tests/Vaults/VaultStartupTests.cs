using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>The start-up rule, through the real server: no key is fine until a secret exists.</summary>
public sealed class VaultStartupTests
{
    [Fact]
    public async Task Without_a_key_credentials_are_refused_and_with_stored_secrets_the_server_refuses_to_start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hangar-startup-" + Guid.NewGuid().ToString("N"));
        var key = MasterKey.Generate();
        try
        {
            var keyless = new HangarServerOptions { Port = 0, Store = new StoreOptions(directory), RunWorkers = false, MasterKeys = new SecretCipher(null), BootstrapApiKey = "sk-test-startup" };
            await using (var app = await HangarServer.BuildAsync(keyless, CancellationToken.None))
            {
                await app.StartAsync();
                using var client = new HttpClient { BaseAddress = ServerAddresses.Of(app) };
                client.DefaultRequestHeaders.Add("x-api-key", "sk-test-startup");
                var (_, vault) = await ServerFixture.SendAsync(client, HttpMethod.Post, "/v1/vaults", """{"display_name":"v"}""");
                var (status, body) = await ServerFixture.SendAsync(client, HttpMethod.Post, $"/v1/vaults/{(string)vault!["id"]!}/credentials",
                    """{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com","token":"t"}}""");
                Assert.Equal(400, status);
                Assert.Contains("HANGAR_MASTER_KEY", (string?)body!["error"]!["message"]);
                await app.StopAsync();
            }
            await using (var app = await HangarServer.BuildAsync(keyless with { MasterKeys = new SecretCipher(key) }, CancellationToken.None))
            {
                await app.StartAsync();
                using var client = new HttpClient { BaseAddress = ServerAddresses.Of(app) };
                client.DefaultRequestHeaders.Add("x-api-key", "sk-test-startup");
                var (_, vault) = await ServerFixture.SendAsync(client, HttpMethod.Post, "/v1/vaults", """{"display_name":"v"}""");
                var (status, _) = await ServerFixture.SendAsync(client, HttpMethod.Post, $"/v1/vaults/{(string)vault!["id"]!}/credentials",
                    """{"auth":{"type":"static_bearer","mcp_server_url":"https://x.example.com","token":"t"}}""");
                Assert.Equal(200, status);
                await app.StopAsync();
            }
            var error = await Assert.ThrowsAsync<VaultKeyException>(() => HangarServer.BuildAsync(keyless, CancellationToken.None));
            Assert.Contains("HANGAR_MASTER_KEY", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
