using Hangar.Testing;
using Xunit.Abstractions;

namespace Hangar.Storage.Tests;

public sealed partial class PostgresStoreTests(ITestOutputHelper output) : StoreContract(output)
{
    private string _connectionString = "";

    protected override async Task PrepareAsync()
    {
        var cluster = await PostgresCluster.SharedAsync();
        _connectionString = await cluster.CreateDatabaseAsync(Ct);
    }

    protected override Task<IHangarStore> OpenStoreAsync() =>
        HangarStore.OpenAsync(new StoreOptions(ConnectionString: _connectionString), Ct);

    protected override Task CleanupAsync() => Task.CompletedTask;

    // The server's clock_timestamp() cannot be driven: wait it out (a lower bound, so load cannot make it flake).
    protected override Task LetLeaseTimePassAsync(TimeSpan span) => Task.Delay(span, Ct);
}
