using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.Interop.Tests.Hosting;

namespace Hangar.Interop.Tests;

/// <summary>Files and vaults through the official TypeScript SDK, checked against Hangar's own answers.</summary>
[Collection(InteropCollection.Name)]
public sealed class ResourceFlowTests(InteropHangar hangar)
{
    [Fact]
    public async Task Files_upload_page_download_and_delete()
    {
        using var ct = SessionFlowTests.Deadline();

        var result = await hangar.RunAsync("files", null, ct.Token);

        var uploaded = result.Json["uploaded"]!.AsArray().Select(f => (string)f!["id"]!).ToList();
        Assert.Equal(3, uploaded.Count);
        Assert.Equal(["interop-0.txt", "interop-1.txt", "interop-2.txt"], result.Json["uploaded"]!.AsArray().Select(f => (string)f!["filename"]!));
        Assert.Equal("text/plain", (string?)result.Json["uploaded"]![0]!["mime_type"]);
        // Pages of one: every file exactly once, and the cursor ran out (newest first).
        Assert.Equal(uploaded.AsEnumerable().Reverse(), result.Strings("listed"));
        Assert.True((int)result.Json["pages"]! >= 3);
        Assert.Equal("gamma\u00e9\n", result.String("downloaded"));
        Assert.Equal(8, (int)result.Json["metadata"]!["size_bytes"]!); // é is two bytes in UTF-8
        Assert.Equal(["file_deleted", "file_deleted", "file_deleted"], result.Strings("deleted"));
        Assert.Empty(result.Strings("remaining"));
        Assert.Equal(404, (int)result.Json["status_after_delete"]!);
    }

    [Fact]
    public async Task Vault_and_credentials_create_list_and_archive()
    {
        using var ct = SessionFlowTests.Deadline();

        var result = await hangar.RunAsync("vaults", null, ct.Token);

        var vaultId = result.String("vault_id")!;
        Assert.StartsWith("vlt_", vaultId, StringComparison.Ordinal);
        Assert.Equal("interop", (string?)result.Json["vault_metadata"]!["team"]);
        Assert.Equal("static_bearer", result.String("credential_auth_type"));
        // Write-only: the token never comes back.
        Assert.DoesNotContain("tok-interop", result.String("credential_json"), StringComparison.Ordinal);
        Assert.Equal(result.Strings("credential_ids").Order(), result.Strings("listed_credentials").Order());
        Assert.True((bool)result.Json["vault_listed"]!);
        Assert.NotNull(result.String("credential_archived_at"));
        Assert.Equal("wiki server", result.String("second_display_name"));
        Assert.NotNull(result.String("vault_archived_at"));
        using var http = hangar.Raw();
        var vault = await http.GetFromJsonAsync<JsonObject>($"/v1/vaults/{vaultId}", ct.Token);
        Assert.NotNull((string?)vault!["archived_at"]);
    }
}
