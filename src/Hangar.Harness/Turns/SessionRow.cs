using System.Text.Json.Nodes;
using Hangar.Harness.Log;
using Hangar.Harness.Models;
using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>
/// The parts of the session row the harness owns: <c>status</c>, cumulative <c>usage</c> and
/// <c>stats</c>. Kept in memory while the worker holds the lease and written into the current
/// row with every fenced write (other fields, e.g. a title changed meanwhile, are left alone).
/// </summary>
public sealed class SessionRow
{
    private readonly DateTimeOffset _createdAt;
    private DateTimeOffset? _activeMark;

    public SessionRow(ResourceRecord record, bool running, DateTimeOffset now)
    {
        var json = (JsonObject)JsonNode.Parse(record.Json)!;
        Agent = (JsonObject)json["agent"]!;
        EnvironmentId = (string?)json["environment_id"];
        VaultIds = [.. (json["vault_ids"] as JsonArray ?? []).Select(v => (string)v!)];
        Status = (string?)json["status"] ?? "idle";
        Usage = json["usage"] as JsonObject ?? [];
        Stats = json["stats"] as JsonObject ?? [];
        Ended = record.ArchivedAt is not null || Status == "terminated";
        _createdAt = record.CreatedAt;
        _activeMark = running ? now : null;
    }

    public JsonObject Agent { get; }

    public string? EnvironmentId { get; }

    /// <summary>The session's <c>vault_ids</c>, in order (the first vault with a matching credential wins).</summary>
    public IReadOnlyList<string> VaultIds { get; }

    public string Status { get; private set; }

    public bool Ended { get; }

    public JsonObject Usage { get; }

    public JsonObject Stats { get; }

    /// <summary>Adds a model response's tokens to the cumulative usage.</summary>
    public void AddUsage(ModelUsage usage)
    {
        Add(Usage, "input_tokens", usage.InputTokens);
        Add(Usage, "output_tokens", usage.OutputTokens);
        Add(Usage, "cache_read_input_tokens", usage.CacheReadInputTokens);
        if (Usage["cache_creation"] is not JsonObject creation)
        {
            Usage["cache_creation"] = creation = new JsonObject { ["ephemeral_5m_input_tokens"] = 0, ["ephemeral_1h_input_tokens"] = 0 };
        }
        Add(creation, "ephemeral_5m_input_tokens", usage.CacheCreationInputTokens);
    }

    /// <summary>Moves to <paramref name="status"/>, counting active time while running or rescheduling.</summary>
    public void Advance(string? status, DateTimeOffset now)
    {
        if (_activeMark is { } mark && now > mark)
        {
            var seconds = (now - mark).TotalSeconds;
            Stats["active_seconds"] = Math.Round(Number(Stats["active_seconds"]) + seconds, 3);
            Usage["active_seconds"] = Math.Round(Number(Usage["active_seconds"]) + seconds, 3);
        }
        Status = status ?? Status;
        _activeMark = Status is "running" or "rescheduling" ? now : null;
        Stats["duration_seconds"] = Math.Round(Math.Max(0, (now - _createdAt).TotalSeconds), 3);
    }

    /// <summary>Writes the harness-owned fields into the current stored row.</summary>
    public ResourceRecord Apply(ResourceRecord current, DateTimeOffset now)
    {
        var json = (JsonObject)JsonNode.Parse(current.Json)!;
        if ((string?)json["status"] == "terminated" || current.ArchivedAt is not null)
        {
            return current; // Archived meanwhile: the archive wins over the harness's status.
        }
        json["status"] = Status;
        json["usage"] = Usage.DeepClone();
        json["stats"] = Stats.DeepClone();
        json["updated_at"] = HarnessEvents.Timestamp(now);
        return current with
        {
            Json = json.ToJsonString(),
            Session = current.Session is { } columns ? columns with { Status = Status } : null,
        };
    }

    private static void Add(JsonObject target, string key, long value) => target[key] = (long)Number(target[key]) + value;

    // A value may be backed by a parsed element or by a CLR long/double: read it through its JSON text.
    private static double Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
}
