using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Tools;

namespace Hangar.Harness.Turns;

/// <summary>The session's <c>file</c> resources (its JSON's <c>resources[]</c>) as sandbox mounts.</summary>
public static class SessionFiles
{
    public const string UploadsDirectory = "/mnt/session/uploads";

    public static IReadOnlyList<SandboxFile> Of(IHangarStore store, string workspaceId, ResourceRecord? session)
    {
        if (session is null || JsonNode.Parse(session.Json)?["resources"] is not JsonArray resources)
        {
            return [];
        }
        return [.. resources.OfType<JsonObject>()
            .Where(r => (string?)r["type"] == "file" && r["file_id"] is JsonValue)
            .Select(r =>
            {
                var fileId = (string)r["file_id"]!;
                var mountPath = (string?)r["mount_path"] ?? $"{UploadsDirectory}/{fileId}";
                return new SandboxFile(fileId, mountPath, ct => store.FileContents.GetAsync(workspaceId, fileId, ct));
            })];
    }
}
