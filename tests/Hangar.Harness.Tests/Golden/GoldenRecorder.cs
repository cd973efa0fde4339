using System.Text.Json.Nodes;
using Hangar.Harness.Tests.Turns;
using Microsoft.Data.Sqlite;
using WorkerSettings = Hangar.Server.Harness.WorkerSettings;

namespace Hangar.Harness.Tests.Golden;

/// <summary>Runs only when re-recording golden logs on purpose: <c>HANGAR_RECORD_GOLDEN=1</c>.</summary>
public sealed class RecordFactAttribute : FactAttribute
{
    public const string Variable = "HANGAR_RECORD_GOLDEN";

    public RecordFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"Re-records a golden log from a live run; set {Variable}=1 to run it (it rewrites Golden/Logs and Golden/Expected).";
        }
    }
}

/// <summary>
/// Records a golden log from a real run: a real server and workers on a real SQLite store, the fake
/// Messages server as the model. The log is read back from the database as stored; a trigger added
/// to the recording's own database notes, for every <c>processed_at</c> a fenced write sets, the
/// log's last seq at that moment (<see cref="GoldenEvent.ProcessedWithSeq"/>). Before saving, every
/// model request the run sent is checked against the one the replay rebuilds from the log, so a
/// recording is only kept when replaying it reproduces what really happened.
/// </summary>
public sealed class GoldenRecorder : IAsyncDisposable
{
    private const string MarkTable = """
        CREATE TABLE IF NOT EXISTS golden_marks (event_id TEXT PRIMARY KEY, at_seq INTEGER NOT NULL);
        CREATE TRIGGER IF NOT EXISTS golden_mark AFTER UPDATE OF processed_at ON session_events
        WHEN OLD.processed_at IS NULL AND NEW.processed_at IS NOT NULL
        BEGIN
            INSERT OR IGNORE INTO golden_marks VALUES (NEW.id, (SELECT MAX(seq) FROM session_events WHERE session_id = NEW.session_id));
        END;
        """;

    private readonly WorkerSettings _settings;

    private GoldenRecorder(HarnessHost host, WorkerSettings settings)
    {
        Host = host;
        _settings = settings;
    }

    public HarnessHost Host { get; }

    public static async Task<GoldenRecorder> StartAsync(Func<WorkerSettings, WorkerSettings>? configure = null)
    {
        WorkerSettings? seen = null;
        var host = await HarnessHost.StartAsync(configure: s => seen = (configure ?? (x => x))(s));
        await using var db = Connect(host);
        await db.OpenAsync();
        await using var create = db.CreateCommand();
        create.CommandText = MarkTable;
        await create.ExecuteNonQueryAsync();
        return new GoldenRecorder(host, seen!);
    }

    /// <summary>Reads the session's stored log, checks the replay rebuilds every request the model got, and saves it.</summary>
    public async Task<GoldenLog> SaveAsync(string name, string description, string sessionId)
    {
        await using var db = Connect(Host);
        await db.OpenAsync();
        var header = new JsonObject
        {
            ["golden_log"] = GoldenLog.FormatVersion,
            ["shape"] = name,
            ["description"] = description,
            ["recorded_with"] = "GoldenRecordings (HANGAR_RECORD_GOLDEN=1); harness settings below",
            ["max_model_attempts"] = _settings.MaxModelAttempts,
            ["max_tokens"] = 8192,
            ["compaction_threshold"] = _settings.CompactionThreshold,
            ["agent"] = await StoredAgentAsync(db, sessionId),
        };
        var log = new GoldenLog(name, header, await StoredEventsAsync(db, sessionId));
        CheckRequests(log);
        log.Save();
        GoldenReplay.WriteExpected(name, GoldenReplay.Expect(log));
        return log;
    }

    /// <summary>The n-th model request of the run (compaction summaries aside) is what the replay builds from the log before the n-th span start.</summary>
    private void CheckRequests(GoldenLog log)
    {
        var sent = Host.Model.Requests.Where(r => !r.RawBody.Contains("Summarise the conversation above", StringComparison.Ordinal)).ToList();
        var starts = log.Events.Where(e => e.Type == "span.model_request_start").ToList();
        Assert.Equal(starts.Count, sent.Count);
        for (var i = 0; i < starts.Count; i++)
        {
            var rebuilt = GoldenReplay.Build(log, log.Prefix(starts[i].Seq - 1)).Body;
            foreach (var key in new[] { "model", "max_tokens", "system", "tools", "messages" })
            {
                Assert.True(JsonNode.DeepEquals(rebuilt[key], sent[i].Body![key]),
                    $"{log.Name}: request {i + 1}'s {key} differs from the replay's:\n sent    {sent[i].Body![key]?.ToJsonString()}\n rebuilt {rebuilt[key]?.ToJsonString()}");
            }
        }
    }

    private static async Task<JsonObject> StoredAgentAsync(SqliteConnection db, string sessionId)
    {
        await using var select = db.CreateCommand();
        select.CommandText = "SELECT json FROM resources WHERE kind = 'session' AND id = $id";
        select.Parameters.AddWithValue("$id", sessionId);
        var json = (string)(await select.ExecuteScalarAsync())!;
        return (JsonObject)JsonNode.Parse(json)!["agent"]!.DeepClone();
    }

    private static async Task<List<GoldenEvent>> StoredEventsAsync(SqliteConnection db, string sessionId)
    {
        await using var select = db.CreateCommand();
        select.CommandText = "SELECT e.seq, e.id, e.type, e.json, e.processed_at, m.at_seq FROM session_events e "
            + "LEFT JOIN golden_marks m ON m.event_id = e.id WHERE e.session_id = $id ORDER BY e.seq";
        select.Parameters.AddWithValue("$id", sessionId);
        await using var reader = await select.ExecuteReaderAsync();
        var events = new List<GoldenEvent>();
        while (await reader.ReadAsync())
        {
            var seq = reader.GetInt64(0);
            DateTimeOffset? processedAt = reader.IsDBNull(4) ? null : new DateTimeOffset(DateTime.UnixEpoch.Ticks + (reader.GetInt64(4) * 10), TimeSpan.Zero);
            // Marked by a later write: that write's last seq; processed as appended (the harness's own events): its own.
            long? markedWith = reader.IsDBNull(5) ? processedAt is null ? null : seq : reader.GetInt64(5);
            events.Add(new GoldenEvent(seq, reader.GetString(1), reader.GetString(2), (JsonObject)JsonNode.Parse(reader.GetString(3))!, processedAt, markedWith));
        }
        return events;
    }

    private static SqliteConnection Connect(HarnessHost host) => new(new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(host.Store.DataDirectory!, "hangar.db"),
        Pooling = false,
    }.ToString());

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
