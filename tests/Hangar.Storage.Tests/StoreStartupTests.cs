using System.Net;
using System.Net.Sockets;
using Hangar.Storage.Postgres;
using Hangar.Testing;
using Npgsql;

namespace Hangar.Storage.Tests;

/// <summary>Opening the store at start-up: waiting out a database that is not there yet, giving up on one that refuses for good, and the pool budget.</summary>
public sealed class StoreStartupTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task An_unreachable_database_is_retried_with_capped_backoff_until_cancelled()
    {
        var options = new StoreOptions(ConnectionString: $"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Database=hangar");
        var clock = new ImmediateTime();
        var reports = new List<StoreUnavailable>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HangarStore.OpenPatientlyAsync(options, wait =>
        {
            reports.Add(wait);
            if (wait.Attempt == 8)
            {
                stop.Cancel(); // Ctrl-C.
            }
        }, clock, stop.Token));

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], reports.Select(r => r.Attempt));
        Assert.All(reports, r => Assert.Contains("127.0.0.1", r.Reason));
        // Each wait is what was reported, grows, and never passes the cap.
        Assert.Equal(7, clock.Delays.Count);
        Assert.All(clock.Delays.Zip(reports), pair => Assert.Equal(pair.Second.RetryIn.TotalMilliseconds, pair.First.TotalMilliseconds, 1.0));
        Assert.All(clock.Delays, d => Assert.InRange(d, HangarStore.StartupRetryBase / 2, HangarStore.StartupRetryMax));
        Assert.True(reports[^1].RetryIn >= HangarStore.StartupRetryMax / 2);
    }

    [Fact]
    public async Task A_database_that_refuses_for_good_ends_the_wait_with_what_to_fix()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var missing = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = "hangar_no_such_db" };
        var reports = 0;

        var error = await Assert.ThrowsAsync<StoreUnusableException>(() => HangarStore.OpenPatientlyAsync(
            new StoreOptions(ConnectionString: missing.ConnectionString), _ => reports++, new ImmediateTime(), Ct));

        Assert.Equal(0, reports);
        Assert.Contains("3D000", error.Message);
        Assert.Contains("Create the database", error.Message);
    }

    [Theory]
    [InlineData("Host=db;Username=u", 7, 7)]
    [InlineData("Host=db;Username=u;Maximum Pool Size=3", 7, 3)]
    [InlineData("Host=db;Username=u;maxpoolsize=3", 7, 3)]
    public void The_pool_budget_applies_unless_the_connection_string_names_one(string connectionString, int budget, int expected)
    {
        var applied = new NpgsqlConnectionStringBuilder(PoolSizing.Apply(connectionString, budget));

        Assert.Equal(expected, applied.MaxPoolSize);
    }

    [Fact]
    public async Task A_connection_stalled_inside_a_transaction_is_ended_by_the_server_so_its_row_locks_go()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = PoolSizing.Apply(await cluster.CreateDatabaseAsync(Ct), 2);
        await using var stalled = new NpgsqlConnection(connectionString);
        await stalled.OpenAsync(Ct);
        await using (var show = new NpgsqlCommand("SHOW idle_in_transaction_session_timeout", stalled))
        {
            Assert.Equal("5s", await show.ExecuteScalarAsync(Ct));
        }
        // An operator's own server options are left as they are.
        var own = new NpgsqlConnectionStringBuilder(PoolSizing.Apply("Host=db;Options=-c statement_timeout=1000", 2));
        Assert.Equal("-c statement_timeout=1000", own.Options);
    }

    [Fact]
    public async Task A_process_never_holds_more_connections_than_its_budget_plus_its_two_listeners()
    {
        var cluster = await PostgresCluster.SharedAsync();
        // The test cluster's connection strings name a pool size; this one must come from the budget.
        var builder = new NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync(Ct));
        builder.Remove("Maximum Pool Size");
        await using var store = await HangarStore.OpenAsync(new StoreOptions(ConnectionString: builder.ConnectionString) { PoolSize = 2 }, Ct);
        var workspace = await store.Workspaces.EnsureAsync("pool", Ct);

        // Far more concurrent work than connections: it queues for the two instead of opening more.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => store.Workspaces.EnsureAsync("pool", Ct)));

        await using var admin = new NpgsqlConnection(cluster.AdminConnectionString);
        await admin.OpenAsync(Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db", admin);
        count.Parameters.AddWithValue("db", builder.Database!);
        // Two pooled, plus the append listener and the live-preview listener (docs/operations.md).
        Assert.InRange(Convert.ToInt32(await count.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture), 1, 4);
        Assert.NotEmpty(workspace);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A clock whose timers fire at once, recording how long each wait asked for.</summary>
    private sealed class ImmediateTime : TimeProvider
    {
        private readonly List<TimeSpan> _delays = [];

        public IReadOnlyList<TimeSpan> Delays
        {
            get
            {
                lock (_delays)
                {
                    return [.. _delays];
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_delays)
            {
                _delays.Add(dueTime);
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
