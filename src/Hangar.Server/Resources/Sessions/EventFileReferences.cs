using System.Text.Json.Nodes;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Files that user events name (a content block's <c>{"type":"file","file_id":…}</c> source, an
/// outcome's file rubric) must be the caller workspace's: another workspace's id is refused as
/// unknown (404), like every other reference, instead of being stored and failing later in a turn.
/// </summary>
public static class EventFileReferences
{
    public static async Task CheckAsync(IHangarStore store, string workspaceId, IEnumerable<NewEvent> events, CancellationToken ct)
    {
        var fileIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            Collect(JsonNode.Parse(item.Json), fileIds);
        }
        foreach (var fileId in fileIds)
        {
            await ResourceLookup.GetAsync(store, ResourceKind.File, workspaceId, fileId, ct);
        }
    }

    private static void Collect(JsonNode? node, HashSet<string> fileIds)
    {
        switch (node)
        {
            case JsonObject obj:
                if ((string?)(obj["type"] as JsonValue) == "file" && obj["file_id"] is JsonValue id && id.TryGetValue<string>(out var fileId))
                {
                    fileIds.Add(fileId);
                }
                foreach (var (_, child) in obj)
                {
                    Collect(child, fileIds);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, fileIds);
                }
                break;
        }
    }
}
