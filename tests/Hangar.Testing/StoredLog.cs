using System.Data.Common;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hangar.Testing;

/// <summary>One stored event, as the database holds it (with its seq, which the API does not show).</summary>
public sealed record StoredEvent(long Seq, string Id, string Type, JsonObject Json)
{
    /// <summary>The concatenated text blocks of <c>content</c> (agent.message, agent.tool_result).</summary>
    public string Text => string.Concat((Json["content"] as JsonArray ?? [])
        .Select(block => block?["type"]?.GetValue<string>() == "text" ? block["text"]?.GetValue<string>() : null));
}

/// <summary>The lease columns of a session's row.</summary>
public sealed record LeaseRow(string? Owner, long Epoch, bool Held)
{
    /// <summary>The pid in <c>host:pid:guid</c>.</summary>
    public int? Pid => Owner?.Split(':') is { Length: >= 3 } parts && int.TryParse(parts[^2], out var pid) ? pid : null;
}

/// <summary>
/// Reads a session's log and lease straight from the store the processes share (PostgreSQL or
/// the SQLite file), so the test sees seqs and lease owners, and polls without going through a
/// server that may be dead.
/// </summary>
public sealed class StoredLog(Func<DbConnection> connect)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    public static StoredLog Postgres(string connectionString) => new(() => new NpgsqlConnection(connectionString));

    public static StoredLog Sqlite(string dataDirectory) => new(() => new SqliteConnection(
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "hangar.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()));

    public async Task<List<StoredEvent>> EventsAsync(string sessionId)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT seq, id, type, json FROM session_events WHERE session_id = @session ORDER BY seq";
        AddParameter(select, "@session", sessionId);
        var events = new List<StoredEvent>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (JsonObject)JsonNode.Parse(reader.GetString(3))!));
        }
        return events;
    }

    public async Task<LeaseRow> LeaseAsync(string sessionId)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT lease_owner, lease_epoch, lease_expires_at IS NOT NULL FROM resources WHERE kind = 'session' AND id = @session";
        AddParameter(select, "@session", sessionId);
        await using var reader = await select.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"No session row {sessionId}.");
        }
        return new LeaseRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), Convert.ToBoolean(reader.GetValue(2)));
    }

    /// <summary>
    /// Drives the lease clock (PostgreSQL): the session's lease expires now, as if its holder had stalled past
    /// the TTL, so the test does not wait the TTL out on the wall clock. The epoch is untouched: the fence holds.
    /// </summary>
    public async Task ExpireLeaseAsync(string sessionId)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE resources SET lease_expires_at = clock_timestamp() - interval '1 second' "
            + "WHERE kind = 'session' AND id = @session AND lease_expires_at IS NOT NULL";
        AddParameter(update, "@session", sessionId);
        await update.ExecuteNonQueryAsync();
    }

    public async Task<string?> StatusAsync(string sessionId)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT status FROM resources WHERE kind = 'session' AND id = @session";
        AddParameter(select, "@session", sessionId);
        return await select.ExecuteScalarAsync() as string;
    }

    /// <summary>Polls the log until <paramref name="done"/> holds; the failure message shows the log and <paramref name="context"/>.</summary>
    public async Task<List<StoredEvent>> WaitForAsync(string sessionId, Func<List<StoredEvent>, bool> done, TimeSpan timeout, Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var events = await EventsAsync(sessionId);
            if (done(events))
            {
                return events;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout}; the log is:\n{Describe(events)}\n{context?.Invoke()}");
            }
            await Task.Delay(PollEvery);
        }
    }

    /// <summary>Waits until <paramref name="count"/> idle events with <c>end_turn</c> are logged.</summary>
    public Task<List<StoredEvent>> WaitForIdleAsync(string sessionId, int count, TimeSpan timeout, Func<string>? context = null) =>
        WaitForAsync(sessionId, events => events.Count(e => e.Type == "session.status_idle") >= count, timeout, context);

    public static string Describe(IEnumerable<StoredEvent> events) =>
        string.Join("\n", events.Select(e => $"  {e.Seq} {e.Type} {e.Id} {Abbreviate(e.Json.ToJsonString())}"));

    private static string Abbreviate(string json) => json.Length <= 160 ? json : json[..160] + "…";

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
