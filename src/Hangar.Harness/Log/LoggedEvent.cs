using System.Text.Json.Nodes;
using Hangar.Storage;

namespace Hangar.Harness.Log;

/// <summary>One event of the session log as the harness reads it: the stored JSON parsed once.</summary>
public sealed record LoggedEvent(long Seq, string Id, string Type, JsonObject Json, DateTimeOffset? ProcessedAt)
{
    public bool IsProcessed => ProcessedAt is not null;

    /// <summary>The private section the harness keeps for context rebuilding (never sent to clients).</summary>
    public JsonObject? Private => Json[HarnessEvents.PrivateKey] as JsonObject;

    public string? String(string key) => Json[key]?.GetValue<string>();

    public static LoggedEvent From(EventRecord record) =>
        new(record.Seq, record.Id, record.Type,
            JsonNode.Parse(record.Json) as JsonObject ?? throw new InvalidDataException($"Event {record.Id} has corrupt JSON."),
            record.ProcessedAt);
}
