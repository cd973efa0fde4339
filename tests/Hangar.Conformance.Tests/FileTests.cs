using System.Net.Http.Headers;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Files;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class FileTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_uploaded_file_lists_describes_and_downloads_byte_for_byte(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var bytes = new byte[70_000];
        Random.Shared.NextBytes(bytes); // binary, not UTF-8: catches text re-encoding

        var uploaded = await UploadAsync(client, bytes, "report.bin", "application/octet-stream", ct);
        var listed = await (await client.Beta.Files.List(new FileListParams { Limit = 1000 }, ct)).Paginate(ct).ToListAsync(ct);
        var metadata = await client.Beta.Files.RetrieveMetadata(uploaded.ID, cancellationToken: ct);
        metadata.Validate();
        using var download = await client.Beta.Files.Download(uploaded.ID, cancellationToken: ct);
        using var content = new MemoryStream();
        await (await download.ReadAsStream(ct)).CopyToAsync(content, ct);

        Assert.StartsWith("file_", uploaded.ID);
        Assert.Equal("file", metadata.Type.GetString());
        Assert.Equal("report.bin", metadata.Filename);
        Assert.Equal("application/octet-stream", metadata.MimeType);
        Assert.Equal(bytes.Length, metadata.SizeBytes);
        Assert.Contains(listed, f => f.ID == uploaded.ID);
        Assert.All(listed, f => f.Validate());
        Assert.Equal(bytes, content.ToArray());
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_text_upload_keeps_its_name_and_media_type(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();

        var uploaded = await UploadAsync(client, "hello, hangar\n"u8.ToArray(), "notes.txt", "text/plain", ct);

        Assert.Equal("notes.txt", uploaded.Filename);
        Assert.Equal("text/plain", uploaded.MimeType);
        Assert.Equal(14, uploaded.SizeBytes);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_deleted_file_is_a_404_for_metadata_and_download(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var uploaded = await UploadAsync(client, [1, 2, 3], "x.bin", "application/octet-stream", ct);

        var deleted = await client.Beta.Files.Delete(uploaded.ID, cancellationToken: ct);
        deleted.Validate();

        Assert.Equal(uploaded.ID, deleted.ID);
        Assert.Equal("file_deleted", deleted.Type?.Raw());
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Beta.Files.RetrieveMetadata(uploaded.ID, cancellationToken: ct));
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Beta.Files.Download(uploaded.ID, cancellationToken: ct));
    }

    public static async Task<BetaFileMetadata> UploadAsync(
        AnthropicClient client, byte[] bytes, string fileName, string mediaType, CancellationToken ct)
    {
        var uploaded = await client.Beta.Files.Upload(
            new FileUploadParams
            {
                File = new BinaryContent { Stream = new MemoryStream(bytes), FileName = fileName, ContentType = new MediaTypeHeaderValue(mediaType) },
            },
            ct);
        uploaded.Validate();
        return uploaded;
    }
}
