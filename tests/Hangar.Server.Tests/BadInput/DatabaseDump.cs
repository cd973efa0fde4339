using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Every row of every table of a test server's database as text, read straight from SQLite or
/// PostgreSQL (not through the API), so "a refused request changed nothing" covers columns no
/// route shows: secrets, lease and work columns, content bytes, audit rows.
/// </summary>
public static class DatabaseDump
{
    /// <summary>
    /// Tables a request may legitimately change on a read, left out of the comparison. None today:
    /// API keys carry no last-used column, rate limits keep no counters in the database, and the one
    /// table a read writes, <c>work_pollers</c> (when each worker last polled), is written only by a
    /// poll that was accepted, which no row is. A table added later that a refused request may
    /// legitimately write (a per-request counter, say) belongs here, with its reason.
    /// </summary>
    public static readonly IReadOnlySet<string> ChangesOnRead = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The SQLite store's file in its data directory (SqliteHangarStore.FileName, internal to Hangar.Storage).</summary>
    private const string SqliteFileName = "hangar.db";

    public static Task<string> TakeAsync(ServerFixture server) =>
        server.Options.Store.ConnectionString is { Length: > 0 } connectionString
            ? PostgresAsync(connectionString)
            : SqliteAsync(Path.Combine(server.Options.Store.DataDirectory!, SqliteFileName));

    /// <summary>The lines only one side has, for a failure message that shows what changed.</summary>
    public static string Diff(string before, string after)
    {
        var was = before.Split('\n').ToHashSet(StringComparer.Ordinal);
        var now = after.Split('\n').ToHashSet(StringComparer.Ordinal);
        return string.Join('\n', was.Except(now).Select(l => "- " + l).Concat(now.Except(was).Select(l => "+ " + l)));
    }

    private static async Task<string> SqliteAsync(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync();
        var tables = await ColumnAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        var dump = new StringBuilder();
        foreach (var table in tables.Where(t => !ChangesOnRead.Contains(t)))
        {
            // rowid order is insertion order for rowid tables; the primary key orders WITHOUT ROWID ones.
            var withoutRowid = (await ColumnAsync(connection, $"SELECT sql FROM sqlite_master WHERE name = '{table}'"))
                .Single().Contains("WITHOUT ROWID", StringComparison.OrdinalIgnoreCase);
            await AppendRowsAsync(connection, dump, table, $"SELECT * FROM \"{table}\" ORDER BY {(withoutRowid ? "1" : "rowid")}");
        }
        return dump.ToString();
    }

    private static async Task<string> PostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = await ColumnAsync(connection,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
        var dump = new StringBuilder();
        foreach (var table in tables.Where(t => !ChangesOnRead.Contains(t)))
        {
            var keys = await ColumnAsync(connection, $"""
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = '"{table}"'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
                """);
            var order = keys.Count > 0 ? string.Join(", ", keys.Select(k => $"\"{k}\"")) : "1";
            await AppendRowsAsync(connection, dump, table, $"SELECT * FROM \"{table}\" ORDER BY {order}");
        }
        return dump.ToString();
    }

    private static async Task<List<string>> ColumnAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    private static async Task AppendRowsAsync(DbConnection connection, StringBuilder dump, string table, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        dump.Append("## ").AppendLine(table);
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                dump.Append(i == 0 ? "" : " | ").Append(reader.GetName(i)).Append('=').Append(Format(reader.GetValue(i)));
            }
            dump.AppendLine();
        }
    }

    private static string Format(object value) => value switch
    {
        DBNull => "NULL",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
