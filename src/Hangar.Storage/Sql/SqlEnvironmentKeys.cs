using System.Data.Common;

namespace Hangar.Storage.Sql;

internal sealed class SqlEnvironmentKeys(SqlDatabase db) : IEnvironmentKeys
{
    private const string Columns = "id, workspace_id, environment_id, created_at, revoked_at";

    public Task AddAsync(EnvironmentKeyRecord key, string keyHash, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var insert = scope.Command(
                "INSERT INTO environment_keys (id, key_hash, workspace_id, environment_id, created_at) VALUES (@id, @hash, @ws, @env, @at)");
            return await insert.With("@id", key.Id).With("@hash", keyHash).With("@ws", key.WorkspaceId)
                .With("@env", key.EnvironmentId).With("@at", db.Time(key.CreatedAt)).ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<EnvironmentKeyRecord?> FindByHashAsync(string keyHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {Columns} FROM environment_keys WHERE key_hash = @hash AND revoked_at IS NULL");
        await using var reader = await select.With("@hash", keyHash).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<EnvironmentKeyRecord>> ListAsync(string environmentId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command($"SELECT {Columns} FROM environment_keys WHERE environment_id = @env ORDER BY id");
        await using var reader = await select.With("@env", environmentId).ExecuteReaderAsync(ct);
        var keys = new List<EnvironmentKeyRecord>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(Read(reader));
        }
        return keys;
    }

    public Task<bool> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var update = scope.Command("UPDATE environment_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
            return await update.With("@at", db.Time(now)).With("@id", keyId).ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    private EnvironmentKeyRecord Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), db.ReadTime(reader, 3), db.ReadNullableTime(reader, 4));
}
