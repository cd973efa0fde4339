using System.Data.Common;

namespace Hangar.Storage.Sql;

internal sealed class SqlVaultStore(SqlDatabase db, SqlResourceStore resources) : IVaultStore
{
    private const string SecretColumns = "credential_id, workspace_id, vault_id, key_id, nonce, ciphertext, updated_at";
    private const string AuditColumns =
        "id, workspace_id, vault_id, credential_id, session_id, server_name, server_url, outcome, detail, created_at";

    public Task CreateCredentialAsync(ResourceRecord credential, SealedSecretRecord? secret, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await resources.InsertAsync(scope, credential, ct);
            if (secret is not null)
            {
                await UpsertSecretAsync(scope, secret, ct);
            }
            return true;
        }, ct);

    public Task<bool> ReplaceCredentialAsync(
        ResourceRecord credential, long expectedRevision, SealedSecretRecord? secret, bool purgeSecret, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            if (!await resources.ReplaceAsync(scope, credential, expectedRevision, ct))
            {
                scope.Rollback();
                return false;
            }
            if (secret is not null)
            {
                await UpsertSecretAsync(scope, secret, ct);
            }
            else if (purgeSecret)
            {
                await using var delete = scope.Command("DELETE FROM vault_secrets WHERE workspace_id = @ws AND credential_id = @id");
                await delete.With("@ws", credential.WorkspaceId).With("@id", credential.Id).ExecuteNonQueryAsync(ct);
            }
            return true;
        }, ct);

    private async Task UpsertSecretAsync(WriteScope scope, SealedSecretRecord secret, CancellationToken ct)
    {
        await using var upsert = scope.Command(
            $"INSERT INTO vault_secrets ({SecretColumns}) VALUES (@id, @ws, @vault, @key, @nonce, @ciphertext, @at) "
            + "ON CONFLICT (credential_id) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, "
            + "ciphertext = excluded.ciphertext, updated_at = excluded.updated_at WHERE vault_secrets.workspace_id = excluded.workspace_id");
        await WithSecret(upsert, secret).ExecuteNonQueryAsync(ct);
    }

    private DbCommand WithSecret(DbCommand command, SealedSecretRecord secret) => command
        .With("@id", secret.CredentialId).With("@ws", secret.WorkspaceId).With("@vault", secret.VaultId)
        .With("@key", secret.KeyId).With("@nonce", secret.Nonce).With("@ciphertext", secret.Ciphertext)
        .With("@at", db.Time(secret.UpdatedAt));

    public async Task<SealedSecretRecord?> GetSecretAsync(string workspaceId, string credentialId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {SecretColumns} FROM vault_secrets WHERE workspace_id = @ws AND credential_id = @id");
        await using var reader = await select.With("@ws", workspaceId).With("@id", credentialId).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadSecret(reader) : null;
    }

    public Task<bool> ResealAsync(SealedSecretRecord next, byte[] expectedNonce, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var update = scope.Command(
                "UPDATE vault_secrets SET key_id = @key, nonce = @nonce, ciphertext = @ciphertext, updated_at = @at "
                + "WHERE credential_id = @id AND workspace_id = @ws AND vault_id = @vault AND nonce = @expected");
            return await WithSecret(update, next).With("@expected", expectedNonce).ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<IReadOnlyList<SealedSecretRecord>> ListSecretsAsync(string? afterCredentialId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {SecretColumns} FROM vault_secrets WHERE credential_id > @after ORDER BY credential_id LIMIT @limit");
        await using var reader = await select.With("@after", afterCredentialId ?? "").With("@limit", limit).ExecuteReaderAsync(ct);
        var secrets = new List<SealedSecretRecord>();
        while (await reader.ReadAsync(ct))
        {
            secrets.Add(ReadSecret(reader));
        }
        return secrets;
    }

    public async Task<long> CountSecretsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var count = connection.Command("SELECT COUNT(*) FROM vault_secrets");
        return await count.ScalarInt64Async(ct);
    }

    public async Task<IReadOnlyList<ResourceRecord>> ListSessionsWithResourceTokensAsync(string? afterSessionId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        // A text match, not a JSON query, so SQLite and PostgreSQL share it; '_' in LIKE matches any character,
        // which only widens the match.
        await using var select = connection.Command(
            $"SELECT {ResourceRows.Columns} FROM resources WHERE kind = @kind AND id > @after AND json LIKE @tokens ORDER BY id LIMIT @limit");
        select.With("@kind", ResourceRows.KindName(ResourceKind.Session)).With("@after", afterSessionId ?? "")
            .With("@tokens", "%\"resource_tokens\"%").With("@limit", limit);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var sessions = new List<ResourceRecord>();
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(ResourceRows.Read(db, reader));
        }
        return sessions;
    }

    private SealedSecretRecord ReadSecret(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        (byte[])reader.GetValue(4), (byte[])reader.GetValue(5), db.ReadTime(reader, 6));

    public Task AppendAuditAsync(CredentialAuditRecord entry, CancellationToken ct) =>
        db.WriteAsync(async scope =>
        {
            await using var insert = scope.Command(
                $"INSERT INTO credential_audit ({AuditColumns}) VALUES (@id, @ws, @vault, @credential, @session, @name, @url, @outcome, @detail, @at)");
            return await insert.With("@id", entry.Id).With("@ws", entry.WorkspaceId).With("@vault", entry.VaultId)
                .With("@credential", entry.CredentialId).With("@session", entry.SessionId).With("@name", entry.ServerName)
                .With("@url", entry.ServerUrl).With("@outcome", entry.Outcome).With("@detail", entry.Detail)
                .With("@at", db.Time(entry.CreatedAt)).ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<Page<CredentialAuditRecord>> ListAuditAsync(string workspaceId, string vaultId, int limit, string? beforeId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var select = connection.Command(
            $"SELECT {AuditColumns} FROM credential_audit WHERE workspace_id = @ws AND vault_id = @vault"
            + (beforeId is null ? "" : " AND id < @before") + " ORDER BY id DESC LIMIT @limit");
        select.With("@ws", workspaceId).With("@vault", vaultId).With("@limit", limit + 1);
        if (beforeId is not null)
        {
            select.With("@before", beforeId);
        }
        var items = new List<CredentialAuditRecord>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new CredentialAuditRecord(
                reader.GetString(0), reader.GetString(1), reader.GetNullableString(2), reader.GetNullableString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                reader.GetNullableString(8), db.ReadTime(reader, 9)));
        }
        var hasMore = items.Count > limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }
        return new Page<CredentialAuditRecord>(items, hasMore);
    }
}
