using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hangar.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hangar.Storage.Tests;

/// <summary>
/// <see cref="TransientFailures.IsTransient"/>: which failures pass (retry, 529, wait at start)
/// and which will not. Real failures from a real PostgreSQL where they can be caused cheaply;
/// constructed server errors for the SQLSTATEs a test cannot provoke safely.
/// </summary>
public sealed class TransientFailuresTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Theory]
    [InlineData("53300", true)] // too_many_connections: what the chaos run met
    [InlineData("53000", true)] // insufficient_resources
    [InlineData("08006", true)] // connection_failure
    [InlineData("08001", true)] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("57P01", true)] // admin_shutdown: a restart ended the session
    [InlineData("57P02", true)] // crash_shutdown
    [InlineData("57P03", true)] // cannot_connect_now: starting up
    [InlineData("40001", true)] // serialization_failure
    [InlineData("40P01", true)] // deadlock_detected
    [InlineData("28P01", false)] // invalid_password: waiting will not fix it
    [InlineData("28000", false)] // invalid_authorization_specification
    [InlineData("3D000", false)] // invalid_catalog_name: no such database
    [InlineData("23505", false)] // unique_violation
    [InlineData("42601", false)] // syntax_error
    [InlineData("57014", false)] // query_canceled
    public void A_server_error_is_transient_by_its_sqlstate(string sqlState, bool transient)
    {
        var error = new PostgresException("test", "FATAL", "FATAL", sqlState);

        Assert.Equal(transient, TransientFailures.IsTransient(error));
        // Wherever it is wrapped: a caller's own exception, or a task's aggregate.
        Assert.Equal(transient, TransientFailures.IsTransient(new InvalidOperationException("outer", error)));
        Assert.Equal(transient, TransientFailures.IsTransient(new AggregateException(new IOException("other"), error)));
    }

    public static TheoryData<Exception, bool> OtherFailures => new()
    {
        { new SqliteException("database is locked", 5), true },
        { new SqliteException("database table is locked", 6), true },
        { new SqliteException("database is locked", 5, 517), true }, // SQLITE_BUSY_SNAPSHOT
        { new SqliteException("constraint failed", 19), false },
        { new SqliteException("disk I/O error", 10), false },
        { new SocketException((int)SocketError.ConnectionRefused), true },
        { new SocketException((int)SocketError.ConnectionReset), true },
        { new SocketException((int)SocketError.HostNotFound), false },
        { new TimeoutException(), true },
        { new RegexMatchTimeoutException("a+", "aaa", TimeSpan.FromSeconds(1)), false },
        { new Win32Exception(11), true }, // EAGAIN: fork hit a process limit for a moment
        { new Win32Exception(2), false }, // ENOENT: the program is missing
        { new OperationCanceledException("cancelled", new TimeoutException()), false },
        { new InvalidOperationException("a bug"), false },
    };

    [Theory]
    [MemberData(nameof(OtherFailures))]
    public void Other_failures_are_classified_by_kind(Exception error, bool transient) =>
        Assert.Equal(transient, TransientFailures.IsTransient(error));

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_is_transient()
    {
        var connection = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = ClosedPort(), Username = "postgres", Timeout = 5 };
        await using var source = NpgsqlDataSource.Create(connection.ConnectionString);

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => source.OpenConnectionAsync(Ct).AsTask());

        Assert.True(TransientFailures.IsTransient(error), error.ToString());
    }

    [Fact]
    public async Task Too_many_clients_is_transient()
    {
        // The server's max_connections and a role's connection limit fail the same way (53300);
        // the role's limit is reachable without starving the shared cluster of connections.
        var cluster = await PostgresCluster.SharedAsync();
        var role = $"limited_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(cluster.AdminConnectionString, $"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1");
        var limited = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Username = role, Pooling = false }.ConnectionString;
        await using var first = new NpgsqlConnection(limited);
        await first.OpenAsync(Ct);
        await using var second = new NpgsqlConnection(limited);

        var error = await Assert.ThrowsAsync<PostgresException>(() => second.OpenAsync(Ct));

        Assert.Equal(PostgresErrorCodes.TooManyConnections, error.SqlState);
        Assert.True(TransientFailures.IsTransient(error));
    }

    [Fact]
    public async Task A_connection_ended_by_the_server_is_transient()
    {
        var cluster = await PostgresCluster.SharedAsync();
        await using var victim = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Pooling = false }.ConnectionString);
        await victim.OpenAsync(Ct);
        await ExecuteAsync(cluster.AdminConnectionString, $"SELECT pg_terminate_backend({victim.ProcessID})");

        // What the next command on it meets: 57P01 from the server, or the closed socket.
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", victim);
            await command.ExecuteScalarAsync(Ct);
        });

        Assert.True(TransientFailures.IsTransient(error), error.ToString());
    }

    [Fact]
    public async Task A_missing_database_is_not_transient()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var missing = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = "hangar_no_such_db", Pooling = false };
        await using var connection = new NpgsqlConnection(missing.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Ct));

        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, error.SqlState);
        Assert.False(TransientFailures.IsTransient(error));
    }

    [Fact]
    public void An_invalid_connection_string_is_not_transient()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new NpgsqlConnectionStringBuilder("Host=db;No Such Keyword=1"));

        Assert.False(TransientFailures.IsTransient(error));
    }

    private async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // Closed again when the listener is disposed.
    }
}
