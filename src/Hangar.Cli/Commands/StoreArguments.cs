using System.CommandLine;
using System.Data.Common;
using Hangar.Server.Harness;
using Hangar.Storage;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>Where the store lives: <c>--database</c> (PostgreSQL) wins over <c>--data</c> (SQLite).</summary>
internal static class StoreArguments
{
    public static Option<string> Data() => new("--data")
    {
        Description = "Data directory for the embedded SQLite store",
        DefaultValueFactory = _ => StoreOptions.DefaultDataDirectory,
    };

    public static Option<string?> Database() => new("--database")
    {
        // No DefaultValueFactory: --help prints defaults, and a connection string may hold a password.
        Description = "PostgreSQL connection string (instead of SQLite) [env: HANGAR_DATABASE]",
    };

    /// <summary>This process's PostgreSQL connection budget (docs/operations.md, "Sizing database connections").</summary>
    public static Option<int?> PoolSize() => new("--db-pool-size")
    {
        Description = $"PostgreSQL connections this process may hold at once, plus one for notifications "
            + $"(default {StoreOptions.DefaultPoolSize}; Maximum Pool Size in the connection string wins) [env: HANGAR_DB_POOL_SIZE]",
    };

    public static Option<SandboxKind> Sandbox() => new("--sandbox")
    {
        Description = "Where tools run: bubblewrap (isolated, default) or local (a plain directory on this host, NOT isolated)",
        DefaultValueFactory = _ => SandboxKind.Bubblewrap,
    };

    /// <summary>The store the options name; throws <see cref="StoreArgumentException"/> for an unusable pool size.</summary>
    public static StoreOptions Resolve(ParseResult parse, Option<string> data, Option<string?> database, Option<int?>? poolSize = null)
    {
        var store = (parse.GetValue(database) ?? Environment.GetEnvironmentVariable("HANGAR_DATABASE")) is { Length: > 0 } connectionString
            ? new StoreOptions(ConnectionString: connectionString)
            : new StoreOptions(DataDirectory: Path.GetFullPath(parse.GetValue(data)!));
        var size = (poolSize is null ? null : parse.GetValue(poolSize)) ?? PoolSizeFromEnvironment();
        return size switch
        {
            null => store,
            < 1 => throw new StoreArgumentException($"--db-pool-size must be at least 1 (got {size})."),
            _ => store with { PoolSize = size.Value },
        };
    }

    /// <summary>As <see cref="Resolve"/>, or null after printing why the options can't be used (the command then exits 2).</summary>
    public static StoreOptions? ResolveOrExplain(ParseResult parse, Option<string> data, Option<string?> database, Option<int?> poolSize)
    {
        try
        {
            return Resolve(parse, data, database, poolSize);
        }
        catch (StoreArgumentException e)
        {
            Terminal.Error(e.Message);
            return null;
        }
    }

    private static int? PoolSizeFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("HANGAR_DB_POOL_SIZE");
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var size) && size >= 1
            ? size
            : throw new StoreArgumentException($"HANGAR_DB_POOL_SIZE='{text}' is not a whole number of connections (1 or more); fix or unset it.");
    }

    /// <summary>
    /// Prints one start-up attempt that met an unreachable or overloaded database, with what to
    /// check; the caller retries after <see cref="StoreUnavailable.RetryIn"/>.
    /// </summary>
    public static void ReportWaiting(StoreOptions store, StoreUnavailable wait) =>
        Terminal.Err.MarkupLine(
            $"[yellow]Waiting for the database[/] (attempt {wait.Attempt}, retrying in {wait.RetryIn.TotalSeconds:0.0} s): "
            + $"{Markup.Escape(wait.Reason)}. "
            + Markup.Escape($"Check that PostgreSQL is running and reachable ({Describe(store)}) and that its max_connections "
                + "leaves room for this process's pool (docs/operations.md, \"Sizing database connections\"). Ctrl-C gives up."));

    /// <summary>A human description that never shows the password.</summary>
    public static string Describe(StoreOptions store)
    {
        if (store.ConnectionString is null)
        {
            return $"SQLite in {store.DataDirectory}";
        }
        var builder = new DbConnectionStringBuilder { ConnectionString = store.ConnectionString };
        string Part(string key) => builder.TryGetValue(key, out var v) ? v?.ToString() ?? "?" : "?";
        var port = builder.TryGetValue("Port", out var p) && p is not null ? $":{p}" : "";
        return $"PostgreSQL database {Part("Database")} on {Part("Host")}{port}";
    }
}

/// <summary>A store setting from the environment that cannot be used; its message says what to fix.</summary>
internal sealed class StoreArgumentException(string message) : Exception(message);
