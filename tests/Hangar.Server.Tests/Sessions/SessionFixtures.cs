using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Server.Tests.Sessions;

/// <summary>The server with a short heartbeat, so idle streams show pings within a test's patience.</summary>
public class SessionServerFixture : ServerFixture
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(300);

    protected override HangarServerOptions Configure(HangarServerOptions options) =>
        options with { StreamHeartbeat = Heartbeat };
}

/// <summary>
/// The same server over a throwaway PostgreSQL database, with a master key as a PostgreSQL operator must set
/// (PostgreSQL gets no generated key, and repository tokens are never stored without one).
/// </summary>
public sealed class PostgresSessionServerFixture : SessionServerFixture
{
    protected override HangarServerOptions Configure(HangarServerOptions options) =>
        base.Configure(options) with { MasterKeys = new Hangar.Vault.SecretCipher(Hangar.Vault.MasterKey.Generate()) };

    protected override async Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory)
    {
        var cluster = await PostgresCluster.SharedAsync();
        return new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync());
    }
}
