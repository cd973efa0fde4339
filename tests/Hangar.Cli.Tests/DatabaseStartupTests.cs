using Hangar.Testing;
using Npgsql;
using Xunit;

namespace Hangar.Cli.Tests;

/// <summary>
/// <c>hangar worker</c> and <c>hangar serve</c> started before their database (a real
/// PostgreSQL, stopped) wait for it — saying so, with what to check — and run once it is up,
/// instead of exiting 1; a database that refuses them for good ends the start with what to fix.
/// </summary>
public sealed class DatabaseStartupTests(OwnPostgresCluster own) : IClassFixture<OwnPostgresCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_started_before_its_database_waits_and_then_runs()
    {
        var database = await own.Cluster.CreateDatabaseAsync();
        await own.Cluster.StopServerAsync();
        try
        {
            await using var worker = HangarProcess.Start(["worker", "--database", database, "--sandbox", "local", "--concurrency", "1"]);

            // Several attempts, each saying why and what to check, and still running.
            await worker.WaitForOutputAsync(@"Waiting for the database\W+attempt 2", Patience);
            Assert.False(worker.HasExited, worker.Transcript);
            Assert.Contains("Check that PostgreSQL is running", worker.Stderr);
            Assert.Contains("max_connections", worker.Stderr);

            await own.Cluster.StartServerAsync();

            await worker.WaitForOutputAsync(@"Hangar worker \S+ running 1 workers", Patience);
        }
        finally
        {
            await EnsureStartedAsync();
        }
    }

    [Fact]
    public async Task A_server_started_before_its_database_waits_and_then_listens()
    {
        var database = await own.Cluster.CreateDatabaseAsync();
        await own.Cluster.StopServerAsync();
        try
        {
            await using var server = HangarProcess.Start(["serve", "--database", database, "--no-workers", "--port", "0"]);

            await server.WaitForOutputAsync(@"Waiting for the database\W+attempt 2", Patience);
            Assert.False(server.HasExited, server.Transcript);

            await own.Cluster.StartServerAsync();

            await server.WaitForOutputAsync("Hangar listening on http://", Patience);
        }
        finally
        {
            await EnsureStartedAsync();
        }
    }

    [Fact]
    public async Task A_database_that_refuses_for_good_ends_the_start_with_what_to_fix()
    {
        var missing = new NpgsqlConnectionStringBuilder(own.Cluster.AdminConnectionString) { Database = "hangar_no_such_db" };

        var (exit, _, stderr) = await HangarProcess.RunAsync(["worker", "--database", missing.ConnectionString, "--sandbox", "local"]);

        Assert.Equal(1, exit);
        Assert.Contains("3D000", stderr);
        Assert.Contains("Create the database", stderr);
        Assert.DoesNotContain("Waiting for the database", stderr);
    }

    [Fact]
    public async Task An_unusable_pool_size_is_refused_before_anything_starts()
    {
        var (exit, _, stderr) = await HangarProcess.RunAsync(
            ["worker", "--database", own.Cluster.AdminConnectionString, "--sandbox", "local"],
            new Dictionary<string, string?> { ["HANGAR_DB_POOL_SIZE"] = "lots" });

        Assert.Equal(2, exit);
        Assert.Contains("HANGAR_DB_POOL_SIZE", stderr);
    }

    /// <summary>Leaves the cluster up for the next test, even when this one failed midway.</summary>
    private async Task EnsureStartedAsync()
    {
        try
        {
            await own.Cluster.StartServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already running.
        }
    }
}
