using System.Data.Common;
using System.Text;

namespace Hangar.Storage.Sql;

internal sealed class SqlResourceStore(SqlDatabase db) : IResourceStore
{
    private const string InsertSql =
        "INSERT INTO resources (" + ResourceRows.Columns + ", scope_id, environment_id) VALUES (@kind, @ws, @id, @json, @revision, "
        + "@created_at, @archived_at, @unique_name, @agent_id, @agent_version, @status, @scope_id, @environment_id)";

    private const string UpdateSql =
        "UPDATE resources SET json = @json, revision = @revision, created_at = @created_at, archived_at = @archived_at, "
        + "unique_name = @unique_name, scope_id = @scope_id, agent_id = @agent_id, agent_version = @agent_version, status = @status, "
        + "environment_id = @environment_id "
        + "WHERE kind = @kind AND workspace_id = @ws AND id = @id AND revision = @expected";

    public Task InsertAsync(ResourceRecord record, CancellationToken ct) =>
        db.WriteAsync(scope => InsertAsync(scope, record, ct), ct);

    /// <summary>Inserts within a caller's transaction (agents insert their first version alongside).</summary>
    internal async Task<int> InsertAsync(WriteScope scope, ResourceRecord record, CancellationToken ct)
    {
        await using var insert = scope.Command(InsertSql);
        insert.With("@kind", ResourceRows.KindName(record.Kind)).With("@ws", record.WorkspaceId).With("@id", record.Id)
            .WithValues(db, record, record.Revision);
        try
        {
            return await insert.ExecuteNonQueryAsync(ct);
        }
        catch (DbException error) when (db.IsDuplicateName(error))
        {
            throw new DuplicateNameException(record.UniqueName!);
        }
    }

    public async Task<ResourceRecord?> GetAsync(ResourceKind kind, string workspaceId, string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {ResourceRows.Columns} FROM resources WHERE kind = @kind AND workspace_id = @ws AND id = @id");
        select.With("@kind", ResourceRows.KindName(kind)).With("@ws", workspaceId).With("@id", id);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ResourceRows.Read(db, reader) : null;
    }

    public async Task<ResourceRecord?> FindAsync(ResourceKind kind, string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {ResourceRows.Columns} FROM resources WHERE kind = @kind AND id = @id LIMIT 1");
        select.With("@kind", ResourceRows.KindName(kind)).With("@id", id);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ResourceRows.Read(db, reader) : null;
    }

    public async Task<Page<ResourceRecord>> ListAsync(ResourceKind kind, string workspaceId, ResourceQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {ResourceRows.Columns} FROM resources WHERE kind = @kind AND workspace_id = @ws");
        select.With("@kind", ResourceRows.KindName(kind)).With("@ws", workspaceId);
        if (query.AfterId is { } afterId)
        {
            sql.Append(query.Descending ? " AND id < @after" : " AND id > @after");
            select.With("@after", afterId);
        }
        if (!query.IncludeArchived)
        {
            sql.Append(" AND archived_at IS NULL");
        }
        AddTime(" AND created_at > @created_gt", "@created_gt", query.CreatedGt);
        AddTime(" AND created_at >= @created_gte", "@created_gte", query.CreatedGte);
        AddTime(" AND created_at < @created_lt", "@created_lt", query.CreatedLt);
        AddTime(" AND created_at <= @created_lte", "@created_lte", query.CreatedLte);
        if (query.AgentId is { } agentId)
        {
            sql.Append(" AND agent_id = @agent_id");
            select.With("@agent_id", agentId);
        }
        if (query.AgentVersion is { } agentVersion)
        {
            sql.Append(" AND agent_version = @agent_version");
            select.With("@agent_version", agentVersion);
        }
        if (query.Statuses is { Count: > 0 } statuses)
        {
            sql.Append(" AND status IN ").Append(select.WithList("status", statuses));
        }
        if (query.ScopeId is { } scopeId)
        {
            sql.Append(" AND scope_id = @scope_id");
            select.With("@scope_id", scopeId);
        }
        if (query.EnvironmentId is { } environmentId)
        {
            sql.Append(" AND environment_id = @environment_id");
            select.With("@environment_id", environmentId);
        }
        if (query.Ids is { } ids)
        {
            // An empty id filter matches nothing (IN () is not valid SQL).
            sql.Append(ids.Count == 0 ? " AND 1 = 0" : " AND id IN " + select.WithList("id", ids));
        }
        sql.Append(query.Descending ? " ORDER BY id DESC" : " ORDER BY id ASC").Append(" LIMIT @limit");
        select.With("@limit", query.Limit + 1);
        select.CommandText = sql.ToString();

        var items = new List<ResourceRecord>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(ResourceRows.Read(db, reader));
        }
        var hasMore = items.Count > query.Limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }
        return new Page<ResourceRecord>(items, hasMore);

        void AddTime(string clause, string name, DateTimeOffset? value)
        {
            if (value is { } time)
            {
                sql.Append(clause);
                select.With(name, db.Time(time));
            }
        }
    }

    public Task<bool> ReplaceAsync(ResourceRecord record, long expectedRevision, CancellationToken ct) =>
        db.WriteAsync(async scope => await ReplaceAsync(scope, record, expectedRevision, ct), ct);

    /// <summary>Replaces within a caller's transaction; false on a revision mismatch or a missing row.</summary>
    internal async Task<bool> ReplaceAsync(WriteScope scope, ResourceRecord record, long expectedRevision, CancellationToken ct)
    {
        await using var update = scope.Command(UpdateSql);
        update.With("@kind", ResourceRows.KindName(record.Kind)).With("@ws", record.WorkspaceId).With("@id", record.Id)
            .With("@expected", expectedRevision).WithValues(db, record, expectedRevision + 1);
        try
        {
            return await update.ExecuteNonQueryAsync(ct) == 1;
        }
        catch (DbException error) when (db.IsDuplicateName(error))
        {
            throw new DuplicateNameException(record.UniqueName!);
        }
    }

    public Task<bool> DeleteAsync(ResourceKind kind, string workspaceId, string id, CancellationToken ct)
    {
        return db.WriteAsync(async scope =>
        {
            // Session events and agent versions follow their row by ON DELETE CASCADE; file
            // contents and a session's scoped files are deleted here, in the same transaction.
            if (kind == ResourceKind.Session)
            {
                await Execute(scope,
                    "DELETE FROM file_contents WHERE file_id IN (SELECT id FROM resources WHERE kind = 'file' AND workspace_id = @ws AND scope_id = @id)");
                await Execute(scope, "DELETE FROM resources WHERE kind = 'file' AND workspace_id = @ws AND scope_id = @id");
            }
            // Credential secrets follow their credential row by ON DELETE CASCADE; a vault takes its
            // credentials (and so their secrets) with it. Audit rows stay: they record what happened.
            if (kind == ResourceKind.Vault)
            {
                await Execute(scope, "DELETE FROM resources WHERE kind = 'vault_credential' AND workspace_id = @ws AND scope_id = @id");
            }
            if (kind == ResourceKind.File)
            {
                await Execute(scope, "DELETE FROM file_contents WHERE workspace_id = @ws AND file_id = @id");
            }
            await using var delete = scope.Command("DELETE FROM resources WHERE kind = @kind AND workspace_id = @ws AND id = @id");
            return await delete.With("@kind", ResourceRows.KindName(kind)).With("@ws", workspaceId).With("@id", id)
                .ExecuteNonQueryAsync(ct) == 1;
        }, ct);

        async Task Execute(WriteScope scope, string sql)
        {
            await using var command = scope.Command(sql);
            await command.With("@ws", workspaceId).With("@id", id).ExecuteNonQueryAsync(ct);
        }
    }
}
