using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>The server with a master key configured (as an operator would with HANGAR_MASTER_KEY).</summary>
public class VaultServerFixture : ServerFixture
{
    public MasterKey Key { get; } = MasterKey.Generate();

    protected override HangarServerOptions Configure(HangarServerOptions options) =>
        options with { MasterKeys = new SecretCipher(Key) };

    public async Task<string> VaultAsync(string name = "Alice", HttpClient? client = null) =>
        (string)(await OkAsync(HttpMethod.Post, "/v1/vaults", $$"""{"display_name":"{{name}}"}""", client))["id"]!;

    public async Task<JsonObject> CredentialAsync(string vaultId, string auth, HttpClient? client = null) =>
        await OkAsync(HttpMethod.Post, $"/v1/vaults/{vaultId}/credentials", $$"""{"display_name":"cred","auth":{{auth}}}""", client);
}

public sealed class PostgresVaultServerFixture : VaultServerFixture
{
    protected override Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory) => PostgresServerFixture.StoreOptionsAsync();
}
