using System.Text.Json.Nodes;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// An event's wire object: the stored JSON with <c>processed_at</c> as the log now says, minus the
/// harness's private <c>_hangar</c> section (what context rebuilding needs; never shown to clients).
/// </summary>
public static class EventJson
{
    public const string PrivateKey = "_hangar";

    public static JsonObject ToWire(EventRecord record)
    {
        var json = (JsonObject)JsonNode.Parse(record.Json)!;
        json.Remove(PrivateKey);
        json["processed_at"] = record.ProcessedAt is { } at ? WireJson.Timestamp(at) : null;
        return json;
    }
}
