using System.Data.Common;
using System.Text.Json;

namespace Hangar.Storage.Sql;

/// <summary>How a <see cref="ResourceRecord"/> maps to a row of the resources table.</summary>
internal static class ResourceRows
{
    public const string Columns =
        "kind, workspace_id, id, json, revision, created_at, archived_at, unique_name, agent_id, agent_version, status";

    public static string KindName(ResourceKind kind) => kind switch
    {
        ResourceKind.Agent => "agent",
        ResourceKind.Environment => "environment",
        ResourceKind.Session => "session",
        ResourceKind.File => "file",
        ResourceKind.Vault => "vault",
        ResourceKind.VaultCredential => "vault_credential",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static ResourceKind ParseKind(string name) => Enum.Parse<ResourceKind>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    public static ResourceRecord Read(SqlDatabase db, DbDataReader reader) => new(
        ParseKind(reader.GetString(0)),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        db.ReadTime(reader, 5),
        db.ReadNullableTime(reader, 6),
        reader.GetNullableString(7),
        reader.IsDBNull(8) ? null : new SessionColumns(reader.GetString(8), reader.GetInt32(9), reader.GetString(10)));

    /// <summary>Binds every column but kind/workspace/id (the caller's WHERE or VALUES uses those).</summary>
    public static DbCommand WithValues(this DbCommand command, SqlDatabase db, ResourceRecord record, long revision) => command
        .With("@json", record.Json)
        .With("@revision", revision)
        .With("@created_at", db.Time(record.CreatedAt))
        .With("@archived_at", record.ArchivedAt is { } archived ? db.Time(archived) : null)
        .With("@unique_name", record.UniqueName)
        .With("@scope_id", ScopeId(record))
        .With("@environment_id", EnvironmentId(record))
        .With("@agent_id", record.Session?.AgentId)
        .With("@agent_version", record.Session?.AgentVersion)
        .With("@status", record.Session?.Status);

    /// <summary>
    /// A file's owning session (its JSON's <c>scope: {type: "session", id}</c>), so deleting the session can find it;
    /// a credential's vault (its JSON's <c>vault_id</c>), so a vault's credentials can be listed and deleted with it.
    /// </summary>
    private static string? ScopeId(ResourceRecord record)
    {
        if (record.Kind == ResourceKind.VaultCredential)
        {
            using var credential = JsonDocument.Parse(record.Json);
            return credential.RootElement.TryGetProperty("vault_id", out var vaultId) && vaultId.ValueKind == JsonValueKind.String
                ? vaultId.GetString()
                : null;
        }
        if (record.Kind != ResourceKind.File)
        {
            return null;
        }
        using var document = JsonDocument.Parse(record.Json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("scope", out var scope)
            && scope.ValueKind == JsonValueKind.Object
            && scope.TryGetProperty("id", out var id)
            && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
    }

    /// <summary>A session's environment (its JSON's <c>environment_id</c>), so deleting an environment can tell whether it is in use.</summary>
    private static string? EnvironmentId(ResourceRecord record)
    {
        if (record.Kind != ResourceKind.Session)
        {
            return null;
        }
        using var document = JsonDocument.Parse(record.Json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("environment_id", out var id)
            && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
    }
}
