using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Files;

/// <summary>The wire File object and the rules read from it (expiry).</summary>
public static class FileObject
{
    /// <summary>
    /// An uploaded file. Uploads are downloadable here (the hosted API only lets you download files
    /// the agent produced; a self-hosted server has no reason to hide your own bytes from you).
    /// </summary>
    public static JsonObject ForUpload(string id, FileUpload upload, DateTimeOffset now) => new()
    {
        ["type"] = "file",
        ["id"] = id,
        ["filename"] = upload.Filename,
        ["mime_type"] = upload.MimeType,
        ["size_bytes"] = upload.Bytes.LongLength,
        ["created_at"] = WireJson.Timestamp(now),
        ["downloadable"] = true,
        ["expires_at"] = upload.ExpiresInSeconds is { } seconds ? WireJson.Timestamp(now.AddSeconds(seconds)) : null,
        ["scope"] = null,
    };

    public static bool IsExpired(JsonObject file, DateTimeOffset now) =>
        (string?)file["expires_at"] is { } text
        && DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) <= now;

    /// <summary>Refuses an expired file the way the hosted API does: 404 with <c>file_expired</c>.</summary>
    public static JsonObject EnsureLive(JsonObject file, DateTimeOffset now) =>
        IsExpired(file, now)
            ? throw new NotFoundException($"The file '{file["id"]}' expired at {file["expires_at"]}.", "file_expired")
            : file;
}
