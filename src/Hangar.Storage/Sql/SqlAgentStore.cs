namespace Hangar.Storage.Sql;

internal sealed class SqlAgentStore(SqlDatabase db, SqlResourceStore resources) : IAgentStore
{
    private const string InsertVersionSql =
        "INSERT INTO agent_versions (agent_id, version, workspace_id, json, created_at) "
        + "VALUES (@agent_id, @version, @ws, @json, @created_at) ON CONFLICT (agent_id, version) DO NOTHING";

    public Task CreateAsync(ResourceRecord agent, AgentVersionRecord firstVersion, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await resources.InsertAsync(scope, agent, ct);
            if (!await InsertVersionAsync(scope, agent.WorkspaceId, firstVersion, ct))
            {
                throw new InvalidOperationException($"Agent {agent.Id} already has version {firstVersion.Version}.");
            }
            return true;
        }, ct);

    public Task<bool> AddVersionAsync(ResourceRecord agent, long expectedRevision, AgentVersionRecord newVersion, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            // The row update comes first: it locks the agent row, so concurrent writers queue there.
            if (!await resources.ReplaceAsync(scope, agent, expectedRevision, ct)
                || !await InsertVersionAsync(scope, agent.WorkspaceId, newVersion, ct))
            {
                scope.Rollback();
                return false;
            }
            return true;
        }, ct);

    public async Task<AgentVersionRecord?> GetVersionAsync(string workspaceId, string agentId, int version, CancellationToken ct)
    {
        var page = await QueryAsync(workspaceId, agentId, "version = @version", version, 1, ct);
        return page.Items.Count == 0 ? null : page.Items[0];
    }

    public Task<Page<AgentVersionRecord>> ListVersionsAsync(string workspaceId, string agentId, int limit, int afterVersion, CancellationToken ct) =>
        QueryAsync(workspaceId, agentId, "version > @version", afterVersion, limit, ct);

    private async Task<bool> InsertVersionAsync(WriteScope scope, string workspaceId, AgentVersionRecord version, CancellationToken ct)
    {
        await using var insert = scope.Command(InsertVersionSql);
        return await insert.With("@agent_id", version.AgentId).With("@version", version.Version).With("@ws", workspaceId)
            .With("@json", version.Json).With("@created_at", db.Time(version.CreatedAt)).ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<Page<AgentVersionRecord>> QueryAsync(
        string workspaceId, string agentId, string versionClause, int version, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            "SELECT agent_id, version, json, created_at FROM agent_versions "
            + $"WHERE workspace_id = @ws AND agent_id = @agent_id AND {versionClause} ORDER BY version LIMIT @limit");
        select.With("@ws", workspaceId).With("@agent_id", agentId).With("@version", version).With("@limit", limit + 1);
        var items = new List<AgentVersionRecord>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new AgentVersionRecord(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), db.ReadTime(reader, 3)));
        }
        var hasMore = items.Count > limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }
        return new Page<AgentVersionRecord>(items, hasMore);
    }
}
