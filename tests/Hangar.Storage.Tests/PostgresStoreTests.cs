using Hangar.Storage.Postgres;
using Hangar.Testing;
using Npgsql;
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

    /// <summary>Sends a marker NOTIFY from another connection and waits for it: those before it have been delivered.</summary>
    protected override async Task SettleNotificationsAsync()
    {
        var marker = "settle-" + Guid.NewGuid().ToString("N");
        using var arrived = Store.Notifications.Subscribe(marker);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @marker)", connection);
        notify.Parameters.AddWithValue("channel", PostgresSessionLog.Channel);
        notify.Parameters.AddWithValue("marker", marker);
        await notify.ExecuteNonQueryAsync(Ct);
        Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(30), Ct), "the marker notification never arrived");
    }

    // The server's clock_timestamp() cannot be driven: wait it out (a lower bound, so load cannot make it flake).
    protected override Task LetLeaseTimePassAsync(TimeSpan span) => Task.Delay(span, Ct);
}
