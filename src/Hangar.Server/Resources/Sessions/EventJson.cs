using System.Text.Json.Nodes;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>An event's wire object: the stored JSON with <c>processed_at</c> as the log now says.</summary>
public static class EventJson
{
    public static JsonObject ToWire(EventRecord record)
    {
        var json = (JsonObject)JsonNode.Parse(record.Json)!;
        json["processed_at"] = record.ProcessedAt is { } at ? WireJson.Timestamp(at) : null;
        return json;
    }
}
