using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Validates the content blocks clients may send in user events (§9): text, image, document,
/// search_result. Blocks are stored as sent once they pass.
/// </summary>
public static class ContentBlocks
{
    public const int MaxBlocks = 1000;
    public const int MaxTextLength = 1_000_000;
    private const int MaxUrlLength = 2048;
    private const int MaxBase64Length = 32 * 1024 * 1024;

    private static readonly string[] ImageMediaTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    private static readonly Dictionary<string, string[]> BlockFields = new(StringComparer.Ordinal)
    {
        ["text"] = ["type", "text"],
        ["image"] = ["type", "source"],
        ["document"] = ["type", "source", "title", "context"],
        ["search_result"] = ["type", "source", "title", "content", "citations"],
    };

    private static readonly Dictionary<string, string[]> SourceFields = new(StringComparer.Ordinal)
    {
        ["base64"] = ["type", "media_type", "data"],
        ["url"] = ["type", "url"],
        ["file"] = ["type", "file_id"],
        ["text"] = ["type", "media_type", "data"],
    };

    /// <summary>Validates a required, non-empty array of blocks at <paramref name="path"/>.</summary>
    public static void RequireList(JsonObject parent, string name, string path)
    {
        var blocks = JsonFields.OptionalArray(parent, name, MaxBlocks, path)
            ?? throw new InvalidRequestException($"{JsonFields.Path(path, name)}: Field required.");
        if (blocks.Count == 0)
        {
            throw new InvalidRequestException($"{JsonFields.Path(path, name)}: must contain at least one content block.");
        }
        ValidateList(blocks, JsonFields.Path(path, name), textOnly: false);
    }

    /// <summary>Validates an optional array of blocks (may be empty).</summary>
    public static void OptionalList(JsonObject parent, string name, string path)
    {
        if (JsonFields.OptionalArray(parent, name, MaxBlocks, path) is { } blocks)
        {
            ValidateList(blocks, JsonFields.Path(path, name), textOnly: false);
        }
    }

    /// <summary>Validates a required, non-empty array of text blocks (system.message).</summary>
    public static void RequireTextList(JsonObject parent, string name, string path)
    {
        var blocks = JsonFields.OptionalArray(parent, name, MaxBlocks, path)
            ?? throw new InvalidRequestException($"{JsonFields.Path(path, name)}: Field required.");
        if (blocks.Count == 0)
        {
            throw new InvalidRequestException($"{JsonFields.Path(path, name)}: must contain at least one text block.");
        }
        ValidateList(blocks, JsonFields.Path(path, name), textOnly: true);
    }

    private static void ValidateList(JsonArray blocks, string path, bool textOnly)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            var at = $"{path}[{i}]";
            var block = blocks[i] as JsonObject
                ?? throw new InvalidRequestException($"{at}: expected a content block object, got {JsonFields.Describe(blocks[i])}.");
            var type = textOnly
                ? JsonFields.Discriminator(block, at, "text")
                : JsonFields.Discriminator(block, at, "text", "image", "document", "search_result");
            // Blocks are stored as sent, so an unknown key would otherwise reach the model request.
            JsonFields.RejectUnknown(block, at, BlockFields[type]);
            switch (type)
            {
                case "text":
                    JsonFields.RequiredString(block, "text", MaxTextLength, at);
                    break;
                case "image":
                    Source(block, at, document: false);
                    break;
                case "document":
                    Source(block, at, document: true);
                    JsonFields.OptionalString(block, "title", 500, at);
                    JsonFields.OptionalString(block, "context", MaxTextLength, at);
                    break;
                default:
                    SearchResult(block, at);
                    break;
            }
        }
    }

    private static void Source(JsonObject block, string path, bool document)
    {
        var at = JsonFields.Path(path, "source");
        var source = JsonFields.OptionalObject(block, "source", path)
            ?? throw new InvalidRequestException($"{at}: Field required.");
        var type = document
            ? JsonFields.Discriminator(source, at, "base64", "url", "file", "text")
            : JsonFields.Discriminator(source, at, "base64", "url", "file");
        JsonFields.RejectUnknown(source, at, SourceFields[type]);
        switch (type)
        {
            case "base64":
                var mediaType = JsonFields.RequiredString(source, "media_type", 100, at);
                if (document ? mediaType != "application/pdf" : !ImageMediaTypes.Contains(mediaType))
                {
                    throw new InvalidRequestException(
                        $"{at}.media_type: '{mediaType}' is not supported; expected {(document ? "application/pdf" : string.Join(", ", ImageMediaTypes))}.");
                }
                var data = JsonFields.RequiredString(source, "data", MaxBase64Length, at);
                if (!System.Buffers.Text.Base64.IsValid(data))
                {
                    throw new InvalidRequestException($"{at}.data: not valid base64.");
                }
                break;
            case "url":
                var url = JsonFields.RequiredString(source, "url", MaxUrlLength, at);
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                {
                    throw new InvalidRequestException($"{at}.url: expected an absolute http(s) URL.");
                }
                break;
            case "file":
                var fileId = JsonFields.RequiredString(source, "file_id", 100, at);
                if (!Ids.IsWellFormed(fileId, Ids.File))
                {
                    throw new InvalidRequestException($"{at}.file_id: '{fileId}' is not a file id (file_…).");
                }
                break;
            default:
                if (JsonFields.RequiredString(source, "media_type", 100, at) != "text/plain")
                {
                    throw new InvalidRequestException($"{at}.media_type: a text source must be 'text/plain'.");
                }
                JsonFields.RequiredString(source, "data", MaxTextLength, at, minLength: 0);
                break;
        }
    }

    private static void SearchResult(JsonObject block, string path)
    {
        JsonFields.RequiredString(block, "source", MaxUrlLength, path);
        JsonFields.RequiredString(block, "title", 500, path);
        RequireTextList(block, "content", path);
        if (JsonFields.OptionalObject(block, "citations", path) is { } citations)
        {
            JsonFields.RejectUnknown(citations, JsonFields.Path(path, "citations"), "enabled");
            JsonFields.OptionalBool(citations, "enabled", JsonFields.Path(path, "citations"));
        }
    }
}
