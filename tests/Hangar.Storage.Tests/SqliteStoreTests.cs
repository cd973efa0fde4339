using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hangar.Storage.Tests;

public sealed partial class SqliteStoreTests(ITestOutputHelper output) : StoreContract(output)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hangar-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task PrepareAsync() => Task.CompletedTask;

    /// <summary>SQLite measures leases by the process clock: a fake one here, moved by the tests, never waited for.</summary>
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    /// <summary>The group commit's 20 ms cap splits groups on a loaded machine; the group-commit tests count commits.</summary>
    private static readonly TimeSpan GroupTimeLiftedForCommitCounts = TimeSpan.FromMinutes(1);

    protected override Task<IHangarStore> OpenStoreAsync() => HangarStore.OpenAsync(new StoreOptions(DataDirectory: _directory) { Time = _clock, SqliteMaxGroupTime = GroupTimeLiftedForCommitCounts }, Ct);

    protected override Task LetLeaseTimePassAsync(TimeSpan span)
    {
        _clock.Advance(span);
        return Task.CompletedTask;
    }

    protected override Task CleanupAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task OpenCreatesTheDataDirectoryWithAWalDatabase()
    {
        Assert.True(File.Exists(Path.Combine(_directory, "hangar.db")));
        await Store.Workspaces.EnsureAsync("default", Ct);
        Assert.True(File.Exists(Path.Combine(_directory, "hangar.db-wal")));
    }

    [Fact]
    public async Task ASecondStoreOnTheSameFileSeesWritesAndCanWriteToo()
    {
        // Like `hangar keys create` running beside the server.
        await using var other = await OpenStoreAsync();
        var workspace = await other.Workspaces.EnsureAsync("default", Ct);
        await other.Workspaces.AddKeyAsync(workspace, ApiKeys.Hash("hgr_key"), Ct);
        Assert.Equal(workspace, await Store.Workspaces.FindWorkspaceByKeyHashAsync(ApiKeys.Hash("hgr_key"), Ct));
    }
}
