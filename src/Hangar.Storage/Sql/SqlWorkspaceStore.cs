using Hangar.Contracts;

namespace Hangar.Storage.Sql;

internal sealed class SqlWorkspaceStore(SqlDatabase db) : IWorkspaceStore
{
    public Task<string> EnsureAsync(string name, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            // ON CONFLICT waits for a concurrent creator, so the SELECT then sees its row.
            await using (var insert = scope.Command(
                "INSERT INTO workspaces (id, name, created_at) VALUES (@id, @name, @now) ON CONFLICT (name) DO NOTHING"))
            {
                await insert.With("@id", Ids.New(Ids.Workspace)).With("@name", name)
                    .With("@now", db.Time(DateTimeOffset.UtcNow)).ExecuteNonQueryAsync(ct);
            }
            await using var select = scope.Command("SELECT id FROM workspaces WHERE name = @name");
            return (string)(await select.With("@name", name).ExecuteScalarAsync(ct))!;
        }, ct);

    public Task AddKeyAsync(string workspaceId, string keyHash, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var insert = scope.Command(
                "INSERT INTO api_keys (key_hash, workspace_id, created_at) VALUES (@hash, @ws, @now) ON CONFLICT (key_hash) DO NOTHING");
            return await insert.With("@hash", keyHash).With("@ws", workspaceId)
                .With("@now", db.Time(DateTimeOffset.UtcNow)).ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<string?> FindWorkspaceByKeyHashAsync(string keyHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command("SELECT workspace_id FROM api_keys WHERE key_hash = @hash");
        return (string?)await select.With("@hash", keyHash).ExecuteScalarAsync(ct);
    }
}
