using System.Globalization;

namespace Hangar.Storage.Sql;

/// <summary>
/// Applies the numbered .sql files embedded under an engine's Migrations folder
/// (<c>0001_initial.sql</c>, …) that schema_migrations does not list yet, all in one write
/// transaction, so a failed upgrade leaves the schema as it was.
/// </summary>
internal static class SchemaMigrator
{
    public static Task MigrateAsync(SqlDatabase db, string engineFolder, string? lockSql, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            if (lockSql is not null)
            {
                await using var take = scope.Command(lockSql);
                await take.ExecuteNonQueryAsync(ct);
            }
            await using (var create = scope.Command(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            var applied = new HashSet<int>();
            await using (var select = scope.Command("SELECT version FROM schema_migrations"))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }
            foreach (var (version, name, sql) in Load(engineFolder).Where(m => !applied.Contains(m.Version)))
            {
                await using (var migrate = scope.Command(sql))
                {
                    await migrate.ExecuteNonQueryAsync(ct);
                }
                await using var record = scope.Command("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @at)");
                await record.With("@v", version).With("@n", name)
                    .With("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)).ExecuteNonQueryAsync(ct);
            }
            return true;
        }, ct);

    /// <summary>The engine's migrations in version order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Load(string engineFolder)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Hangar.Storage.{engineFolder}.Migrations.";
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.Split('_')[0], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            migrations.Add((version, name, text.ReadToEnd()));
        }
        return [.. migrations.OrderBy(m => m.Item1)];
    }
}
