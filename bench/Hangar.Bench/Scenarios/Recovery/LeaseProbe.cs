using System.Text.Json.Nodes;
using Npgsql;

namespace Hangar.Bench.Scenarios.Recovery;

/// <summary>
/// A session's lease columns and the tail of its log, read in one query. <see cref="ExpiresAt"/> is
/// the database clock at the last claim or renewal plus the lease ttl (null: released).
/// </summary>
public sealed record LeaseSnapshot(string? Owner, long Epoch, DateTimeOffset? ExpiresAt, long LastSeq, string? LastType)
{
    public bool Held => ExpiresAt is not null;

    /// <summary>The pid in the owner <c>host:pid:guid</c>.</summary>
    public int? Pid => Owner?.Split(':') is { Length: >= 3 } parts && int.TryParse(parts[^2], out var pid) ? pid : null;
}

/// <summary>
/// Reads a session's lease and log straight from PostgreSQL on one open connection, so that
/// polling every couple of milliseconds costs one round trip per poll and never goes through the
/// server or a worker that may be dead.
/// </summary>
public sealed class LeaseProbe : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private LeaseProbe(NpgsqlConnection connection) => _connection = connection;

    public static async Task<LeaseProbe> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return new LeaseProbe(connection);
    }

    public async Task<LeaseSnapshot> ReadAsync(string sessionId, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand(
            """
            SELECT r.lease_owner, r.lease_epoch, r.lease_expires_at, e.seq, e.type
            FROM resources r
            LEFT JOIN LATERAL (SELECT seq, type FROM session_events WHERE session_id = r.id ORDER BY seq DESC LIMIT 1) e ON TRUE
            WHERE r.kind = 'session' AND r.id = @session
            """, _connection);
        select.Parameters.AddWithValue("session", sessionId);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException($"No session row {sessionId}.");
        }
        return new LeaseSnapshot(
            reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? 0 : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4));
    }

    /// <summary>How many events of <paramref name="type"/> the session's log holds.</summary>
    public async Task<long> CountAsync(string sessionId, string type, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand("SELECT count(*) FROM session_events WHERE session_id = @session AND type = @type", _connection);
        select.Parameters.AddWithValue("session", sessionId);
        select.Parameters.AddWithValue("type", type);
        return (long)(await select.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The stored JSON of the event at <paramref name="seq"/>.</summary>
    public async Task<JsonObject> EventAsync(string sessionId, long seq, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand("SELECT json FROM session_events WHERE session_id = @session AND seq = @seq", _connection);
        select.Parameters.AddWithValue("session", sessionId);
        select.Parameters.AddWithValue("seq", seq);
        return (JsonObject)JsonNode.Parse((string)(await select.ExecuteScalarAsync(ct))!)!;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
