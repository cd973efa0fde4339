using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Server.Tests;

/// <summary><see cref="ServerFixture"/> over a fresh database in the shared throwaway PostgreSQL cluster.</summary>
public sealed class PostgresServerFixture : ServerFixture
{
    protected override Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory) => StoreOptionsAsync();

    /// <summary>Store options for a new, empty PostgreSQL database (for other fixtures that need one).</summary>
    public static async Task<StoreOptions> StoreOptionsAsync()
    {
        var cluster = await PostgresCluster.SharedAsync();
        return new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync());
    }
}
