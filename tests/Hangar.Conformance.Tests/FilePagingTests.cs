using Anthropic;
using Anthropic.Models.Beta.Files;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

/// <summary>The official SDK's auto-pagination over many files ends, and yields each file exactly once.</summary>
[Collection(HangarCollection.Name)]
public sealed class FilePagingTests(HangarServers servers)
{
    private const int FileCount = 250;

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Auto_pagination_over_250_files_returns_each_once_newest_first(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        // A workspace of its own: the other tests' files never interleave with these.
        var client = hangar.ClientWithKey(await hangar.AddWorkspaceKeyAsync($"file-paging-{store}", ct));
        var uploaded = new List<string>();
        for (var i = 0; i < FileCount; i++)
        {
            uploaded.Add((await FileTests.UploadAsync(client, [(byte)i], $"f{i}.txt", "text/plain", ct)).ID);
        }

        var listed = await (await client.Beta.Files.List(new FileListParams { Limit = 17 }, ct)).Paginate(ct).ToListAsync(ct);

        Assert.Equal(uploaded.AsEnumerable().Reverse(), listed.Select(f => f.ID));
        Assert.All(listed, f => f.Validate());
    }
}
