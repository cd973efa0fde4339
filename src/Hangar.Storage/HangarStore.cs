using System.Data.Common;
using Hangar.Storage.Postgres;
using Hangar.Storage.Sqlite;
using Npgsql;

namespace Hangar.Storage;

/// <summary>Opens the store the options describe, with its schema migrated.</summary>
public static class HangarStore
{
    /// <summary>Waits between start-up attempts grow from this…</summary>
    public static readonly TimeSpan StartupRetryBase = TimeSpan.FromMilliseconds(250);

    /// <summary>…to at most this, so a process notices a database that came back within a few seconds.</summary>
    public static readonly TimeSpan StartupRetryMax = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL when a connection string is given, else SQLite in the data directory.</summary>
    public static async Task<IHangarStore> OpenAsync(StoreOptions options, CancellationToken ct)
    {
        IHangarStore store = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteHangarStore(options.DataDirectory ?? StoreOptions.DefaultDataDirectory, options.Time, options.SqliteMaxGroupTime)
            : await PostgresHangarStore.ConnectAsync(options.ConnectionString, options.PoolSize, ct);
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

    /// <summary>
    /// <see cref="OpenAsync"/>, waiting out a database that is unreachable, starting up or
    /// overloaded (<see cref="TransientFailures"/>): each failed attempt is reported to
    /// <paramref name="waiting"/>, then retried after a capped backoff. A failure that will not
    /// pass (bad credentials, no such database, an invalid connection string) or
    /// <paramref name="ct"/> ends the wait by throwing.
    /// </summary>
    public static async Task<IHangarStore> OpenPatientlyAsync(
        StoreOptions options, Action<StoreUnavailable> waiting, TimeProvider time, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await OpenAsync(options, ct);
            }
            catch (Exception e) when (TransientFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                var delay = Backoff.For(attempt, StartupRetryBase, StartupRetryMax);
                waiting(new StoreUnavailable(attempt, e, delay));
                await Task.Delay(delay, time, ct);
            }
            catch (Exception e) when (e is DbException or ArgumentException)
            {
                throw new StoreUnusableException(e);
            }
        }
    }
}

/// <summary>The store cannot be opened and waiting will not help; the message says what to fix.</summary>
public sealed class StoreUnusableException(Exception inner)
    : Exception($"The database refused to open: {TransientFailures.Describe(inner)}. {Hint(inner)}", inner)
{
    private static string Hint(Exception error) => error switch
    {
        PostgresException { SqlState: "28P01" or "28000" } =>
            "Check the user name and password in the connection string (--database or HANGAR_DATABASE).",
        PostgresException { SqlState: "3D000" } => "Create the database, or fix its name in the connection string.",
        PostgresException => "Check the connection string and the database's permissions for this user.",
        ArgumentException => "Fix the connection string: it should look like \"Host=db;Database=hangar;Username=hangar;Password=…\".",
        _ => "Check the connection string, or the data directory's permissions for SQLite.",
    };
}

/// <summary>A failed start-up attempt that will be retried after <see cref="RetryIn"/>.</summary>
public sealed record StoreUnavailable(int Attempt, Exception Error, TimeSpan RetryIn)
{
    /// <summary>The failure in one line (SQLSTATE or socket error and message), for logs.</summary>
    public string Reason => TransientFailures.Describe(Error);
}
