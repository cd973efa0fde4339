using System.Text;
using System.Text.Json;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Files that user events name (a content block's file source, an outcome's file rubric: every
/// <c>file_id</c> in a user event) must be the caller workspace's: another workspace's id is refused
/// as unknown (404), like every other reference, instead of being stored and failing in a turn.
/// The events are already validated, so this only scans their stored JSON for the ids.
/// </summary>
public static class EventFileReferences
{
    public static async Task CheckAsync(IHangarStore store, string workspaceId, IEnumerable<NewEvent> events, CancellationToken ct)
    {
        var fileIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            Collect(Encoding.UTF8.GetBytes(item.Json), fileIds);
        }
        foreach (var fileId in fileIds)
        {
            await ResourceLookup.GetAsync(store, ResourceKind.File, workspaceId, fileId, ct);
        }
    }

    private static void Collect(ReadOnlySpan<byte> json, HashSet<string> fileIds)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("file_id"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                fileIds.Add(reader.GetString()!);
            }
        }
    }
}
