using System.CommandLine;
using System.Data.Common;
using Hangar.Server.Harness;
using Hangar.Storage;

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

    public static Option<SandboxKind> Sandbox() => new("--sandbox")
    {
        Description = "Where tools run: bubblewrap (isolated, default) or local (a plain directory on this host, NOT isolated)",
        DefaultValueFactory = _ => SandboxKind.Bubblewrap,
    };

    public static StoreOptions Resolve(ParseResult parse, Option<string> data, Option<string?> database) =>
        (parse.GetValue(database) ?? Environment.GetEnvironmentVariable("HANGAR_DATABASE")) is { Length: > 0 } connectionString
            ? new StoreOptions(ConnectionString: connectionString)
            : new StoreOptions(DataDirectory: Path.GetFullPath(parse.GetValue(data)!));

    /// <summary>A human description that never shows the password.</summary>
    public static string Describe(StoreOptions store)
    {
        if (store.ConnectionString is null)
        {
            return $"SQLite in {store.DataDirectory}";
        }
        var builder = new DbConnectionStringBuilder { ConnectionString = store.ConnectionString };
        string Part(string key) => builder.TryGetValue(key, out var v) ? v?.ToString() ?? "?" : "?";
        return $"PostgreSQL database {Part("Database")} on {Part("Host")}";
    }
}
