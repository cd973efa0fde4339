namespace Hangar.Storage.Sql;

internal sealed class SqlFileContentStore(SqlDatabase db) : IFileContentStore
{
    public Task PutAsync(FileContent content, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var upsert = scope.Command(
                "INSERT INTO file_contents (file_id, workspace_id, bytes) VALUES (@id, @ws, @bytes) "
                + "ON CONFLICT (file_id) DO UPDATE SET bytes = excluded.bytes WHERE file_contents.workspace_id = excluded.workspace_id");
            return await upsert.With("@id", content.FileId).With("@ws", content.WorkspaceId).With("@bytes", content.Bytes)
                .ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<byte[]?> GetAsync(string workspaceId, string fileId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command("SELECT bytes FROM file_contents WHERE workspace_id = @ws AND file_id = @id");
        return (byte[]?)await select.With("@ws", workspaceId).With("@id", fileId).ExecuteScalarAsync(ct);
    }
}
