using Hangar.Storage.Postgres;
using Hangar.Storage.Sqlite;

namespace Hangar.Storage;

/// <summary>Opens the store the options describe, with its schema migrated.</summary>
public static class HangarStore
{
    /// <summary>PostgreSQL when a connection string is given, else SQLite in the data directory.</summary>
    public static async Task<IHangarStore> OpenAsync(StoreOptions options, CancellationToken ct)
    {
        IHangarStore store = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteHangarStore(options.DataDirectory ?? StoreOptions.DefaultDataDirectory)
            : await PostgresHangarStore.ConnectAsync(options.ConnectionString, ct);
        try
        {
            await store.MigrateAsync(ct);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }
}
