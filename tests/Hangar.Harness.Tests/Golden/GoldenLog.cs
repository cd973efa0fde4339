using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Harness.Log;

namespace Hangar.Harness.Tests.Golden;

/// <summary>
/// A recorded session log (Golden/Logs/&lt;name&gt;.jsonl). Line 1 is the header: what the harness
/// needs besides the events (the session's agent, the harness settings the recording ran with).
/// Every further line is one stored event exactly as the log holds it: seq, id, type, the stored
/// JSON (private <c>_hangar</c> sections included) and <c>processed_at</c>, plus
/// <c>processed_with_seq</c>: the log's last seq when the fenced write that set <c>processed_at</c>
/// committed. That makes every prefix of the log the state a worker could have woken to: a user
/// event is processed in the prefix ending at seq N only if it was marked by then.
/// Events are kept verbatim, so new event types (threads, outcomes) need no change to the format;
/// a per-thread decision would add a <c>thread</c> key to the expectation's steps.
/// </summary>
public sealed record GoldenLog(string Name, JsonObject Header, IReadOnlyList<GoldenEvent> Events)
{
    public const int FormatVersion = 1;

    public JsonObject Agent => (JsonObject)Header["agent"]!;

    public int MaxModelAttempts => (int)Header["max_model_attempts"]!;

    public int MaxTokens => (int)Header["max_tokens"]!;

    public double CompactionThreshold => (double)Header["compaction_threshold"]!;

    /// <summary>The log as a worker waking right after seq <paramref name="lastSeq"/> was written would read it.</summary>
    public IReadOnlyList<LoggedEvent> Prefix(long lastSeq) =>
        [.. Events.TakeWhile(e => e.Seq <= lastSeq).Select(e => new LoggedEvent(e.Seq, e.Id, e.Type, (JsonObject)e.Json.DeepClone(),
            e.ProcessedWithSeq is { } marked && marked <= lastSeq ? e.ProcessedAt : null))];

    /// <summary>The folder holding Logs/ and Expected/ in the source tree (recording and update mode write there).</summary>
    public static string Folder([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;

    public static string LogPath(string name) => Path.Combine(Folder(), "Logs", name + ".jsonl");

    public static IEnumerable<string> Names() =>
        Directory.EnumerateFiles(Path.Combine(Folder(), "Logs"), "*.jsonl").Select(p => Path.GetFileNameWithoutExtension(p)!).Order(StringComparer.Ordinal);

    public static GoldenLog Load(string name)
    {
        var lines = File.ReadAllLines(LogPath(name)).Where(l => l.Length > 0).ToList();
        var header = (JsonObject)JsonNode.Parse(lines[0])!;
        if ((int?)header["golden_log"] != FormatVersion)
        {
            throw new InvalidDataException($"{name}.jsonl: header must say \"golden_log\": {FormatVersion}.");
        }
        return new GoldenLog(name, header, [.. lines.Skip(1).Select(GoldenEvent.Parse)]);
    }

    public void Save()
    {
        var lines = new List<string> { Header.ToJsonString() };
        lines.AddRange(Events.Select(e => e.ToJson().ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        File.WriteAllText(LogPath(Name), string.Join('\n', lines) + "\n");
    }
}

/// <summary>One line of a golden log (see <see cref="GoldenLog"/>).</summary>
public sealed record GoldenEvent(long Seq, string Id, string Type, JsonObject Json, DateTimeOffset? ProcessedAt, long? ProcessedWithSeq)
{
    public JsonObject ToJson() => new()
    {
        ["seq"] = Seq,
        ["id"] = Id,
        ["type"] = Type,
        ["processed_at"] = ProcessedAt is { } at ? HarnessEvents.Timestamp(at) : null,
        ["processed_with_seq"] = ProcessedWithSeq,
        ["json"] = Json.DeepClone(),
    };

    public static GoldenEvent Parse(string line)
    {
        var o = (JsonObject)JsonNode.Parse(line)!;
        return new GoldenEvent((long)o["seq"]!, (string)o["id"]!, (string)o["type"]!, (JsonObject)o["json"]!.DeepClone(),
            (string?)o["processed_at"] is { } at ? DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture) : null,
            (long?)o["processed_with_seq"]);
    }
}
