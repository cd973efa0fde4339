using Xunit;

namespace Hangar.Testing;

/// <summary>
/// A throwaway cluster of a test class's own (<c>IClassFixture&lt;OwnPostgresCluster&gt;</c>), for
/// tests that stop and start it (<see cref="PostgresCluster.StopServerAsync"/>): the shared
/// cluster serves other tests at the same time.
/// </summary>
public sealed class OwnPostgresCluster : IAsyncLifetime
{
    public PostgresCluster Cluster { get; } = new();

    public Task InitializeAsync() => Cluster.InitializeAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
