using Npgsql;

namespace Hangar.Chaos;

/// <summary>A session held by a disrupted worker: its last seq then, and how long until its next event.</summary>
public sealed class Affected(string sessionId, long epoch, long seqAtDisruption)
{
    public string SessionId => sessionId;
    public long Epoch => epoch;
    public long SeqAtDisruption => seqAtDisruption;

    /// <summary>Null until an event after <see cref="SeqAtDisruption"/> shows up.</summary>
    public TimeSpan? NextEvent { get; set; }

    /// <summary>Null until another claim (a newer epoch) shows up.</summary>
    public TimeSpan? Takeover { get; set; }
}

/// <summary>One row of the writer audit: who appended an event, and the session's lease in that transaction.</summary>
public sealed record WriteRow(string SessionId, long Seq, string EventId, string Type, string Application, string? LeaseOwner, long LeaseEpoch, bool LeaseLive);

/// <summary>
/// The run's own look at the database, bypassing the API: the writer audit (a trigger that
/// records, for every appended event, the connection's application name and the session's lease
/// as the appending transaction sees it), leases, and how far each log got.
/// </summary>
public sealed class Observer(string database)
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(database) { ApplicationName = "chaos-observer", MaxPoolSize = 10 }.ConnectionString;

    public string ConnectionString => _connectionString;

    /// <summary>
    /// Installs the audit trigger. The fenced append locks the session row and checks the epoch in
    /// the same transaction before it inserts, so the lease the trigger reads is the one the
    /// write was checked against: an event written under someone else's lease would show it.
    /// </summary>
    public async Task InstallAuditAsync()
    {
        await ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS chaos_writes (
                session_id text NOT NULL,
                seq bigint NOT NULL,
                event_id text NOT NULL,
                type text NOT NULL,
                application text NOT NULL,
                backend_pid int NOT NULL,
                lease_owner text,
                lease_epoch bigint,
                lease_live boolean,
                written_at timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE OR REPLACE FUNCTION chaos_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO chaos_writes (session_id, seq, event_id, type, application, backend_pid, lease_owner, lease_epoch, lease_live)
                SELECT NEW.session_id, NEW.seq, NEW.id, NEW.type, current_setting('application_name'), pg_backend_pid(),
                       r.lease_owner, r.lease_epoch, COALESCE(r.lease_expires_at > clock_timestamp(), false)
                FROM resources r WHERE r.kind = 'session' AND r.id = NEW.session_id;
                RETURN NULL;
            END;
            $$;
            DROP TRIGGER IF EXISTS chaos_audit ON session_events;
            CREATE TRIGGER chaos_audit AFTER INSERT ON session_events FOR EACH ROW EXECUTE FUNCTION chaos_audit();

            CREATE TABLE IF NOT EXISTS chaos_claims (
                session_id text NOT NULL,
                lease_epoch bigint NOT NULL,
                lease_owner text,
                application text NOT NULL,
                claimed_at timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE OR REPLACE FUNCTION chaos_claim_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO chaos_claims (session_id, lease_epoch, lease_owner, application)
                VALUES (NEW.id, NEW.lease_epoch, NEW.lease_owner, current_setting('application_name'));
                RETURN NULL;
            END;
            $$;
            DROP TRIGGER IF EXISTS chaos_claim_audit ON resources;
            CREATE TRIGGER chaos_claim_audit AFTER UPDATE OF lease_epoch ON resources FOR EACH ROW
                WHEN (NEW.lease_epoch IS DISTINCT FROM OLD.lease_epoch) EXECUTE FUNCTION chaos_claim_audit();
            """);
    }

    /// <summary>A session's claims and writes in time order, with the database's timestamps: how a slow recovery went.</summary>
    public async Task<string> TimelineAsync(string sessionId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("""
            SELECT at, what FROM (
                SELECT claimed_at AS at, 'claim  epoch ' || lease_epoch || ' by ' || application AS what FROM chaos_claims WHERE session_id = @id
                UNION ALL
                SELECT written_at, 'write  seq ' || seq || ' ' || type || ' by ' || application || ' at epoch ' || lease_epoch
                    || CASE WHEN lease_live THEN '' ELSE ' (lease expired)' END FROM chaos_writes WHERE session_id = @id
            ) timeline ORDER BY at
            """, connection);
        select.Parameters.AddWithValue("id", sessionId);
        var text = new System.Text.StringBuilder();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {reader.GetDateTime(0):HH:mm:ss.fff} {reader.GetString(1)}");
        }
        return text.ToString();
    }

    /// <summary>Sessions whose lease <paramref name="owner"/> holds, with their last seq; those whose log ends idle are left out (nothing is pending).</summary>
    public async Task<List<Affected>> HeldByAsync(string owner)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("""
            SELECT r.id, r.lease_epoch, COALESCE(last.seq, 0), last.type
            FROM resources r
            LEFT JOIN LATERAL (SELECT seq, type FROM session_events e WHERE e.session_id = r.id ORDER BY seq DESC LIMIT 1) last ON true
            WHERE r.kind = 'session' AND r.lease_owner = @owner AND r.lease_expires_at IS NOT NULL
            """, connection);
        select.Parameters.AddWithValue("owner", owner);
        var held = new List<Affected>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (reader.IsDBNull(3) || reader.GetString(3) != "session.status_idle")
            {
                held.Add(new Affected(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }
        return held;
    }

    /// <summary>The last seq and the lease epoch of each session.</summary>
    public async Task<Dictionary<string, (long Seq, long Epoch)>> ProgressAsync(IReadOnlyCollection<string> sessions)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("""
            SELECT r.id, COALESCE((SELECT MAX(seq) FROM session_events e WHERE e.session_id = r.id), 0), r.lease_epoch
            FROM resources r WHERE r.kind = 'session' AND r.id = ANY(@ids)
            """, connection);
        select.Parameters.AddWithValue("ids", sessions.ToArray());
        var progress = new Dictionary<string, (long, long)>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            progress[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }
        return progress;
    }

    /// <summary>
    /// Evidence for a slow takeover: the sessions' lease rows (with the database's clock and the
    /// work flag) and every busy connection of the run's processes with its locks.
    /// </summary>
    public async Task<string> SnapshotAsync(IReadOnlyCollection<string> sessions)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        await using (var leases = new NpgsqlCommand(
            "SELECT id, lease_owner, lease_epoch, lease_expires_at, clock_timestamp(), has_work FROM resources WHERE kind = 'session' AND id = ANY(@ids) ORDER BY id",
            connection))
        {
            leases.Parameters.AddWithValue("ids", sessions.ToArray());
            await using var reader = await leases.ExecuteReaderAsync();
            text.AppendLine("session | lease owner | epoch | expires | now | has_work");
            while (await reader.ReadAsync())
            {
                text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        await using (var activity = new NpgsqlCommand("""
            SELECT a.application_name, a.pid, a.state, a.wait_event_type, a.wait_event, clock_timestamp() - a.xact_start, left(a.query, 300),
                   (SELECT string_agg(l.locktype || ' ' || l.mode || ' ' || COALESCE(l.relation::regclass::text, '') || CASE WHEN l.granted THEN '' ELSE ' WAITING' END, '; ')
                    FROM pg_locks l WHERE l.pid = a.pid AND l.locktype <> 'virtualxid')
            FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.application_name LIKE 'chaos-%' AND a.application_name <> 'chaos-observer' AND a.state <> 'idle'
            ORDER BY a.application_name, a.pid
            """, connection))
        {
            await using var reader = await activity.ExecuteReaderAsync();
            text.AppendLine().AppendLine("busy connections: application | pid | state | wait | transaction age | query | locks");
            while (await reader.ReadAsync())
            {
                text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        return text.ToString();
    }

    /// <summary>Ends every database connection of <paramref name="application"/> (pg_terminate_backend); returns how many.</summary>
    public async Task<int> TerminateAsync(string application)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app", connection);
        terminate.Parameters.AddWithValue("app", application);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<Dictionary<string, List<WriteRow>>> WritesAsync(IReadOnlyCollection<string> sessions)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "SELECT session_id, seq, event_id, type, application, lease_owner, lease_epoch, lease_live FROM chaos_writes WHERE session_id = ANY(@ids) ORDER BY session_id, seq",
            connection);
        select.Parameters.AddWithValue("ids", sessions.ToArray());
        var writes = new Dictionary<string, List<WriteRow>>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new WriteRow(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? 0 : reader.GetInt64(6), !reader.IsDBNull(7) && reader.GetBoolean(7));
            (writes.TryGetValue(row.SessionId, out var list) ? list : writes[row.SessionId] = []).Add(row);
        }
        return writes;
    }

    public async Task<Dictionary<string, string>> StatusesAsync(IReadOnlyCollection<string> sessions)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT id, status FROM resources WHERE kind = 'session' AND id = ANY(@ids)", connection);
        select.Parameters.AddWithValue("ids", sessions.ToArray());
        var statuses = new Dictionary<string, string>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses[reader.GetString(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
        }
        return statuses;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
