using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>Reads a request body as a JSON object, with errors that say what is wrong.</summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var bytes = await ReadBytesAsync(context);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes.Span, documentOptions: DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"The request body is not valid JSON ({e.Message}).");
        }
        return node as JsonObject
            ?? throw new InvalidRequestException($"The request body must be a JSON object, not {JsonFields.Describe(node)}.");
    }

    /// <summary>The raw body, refused when over the server's limit or empty.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpContext context)
    {
        var limit = context.RequestServices.GetRequiredService<HangarServerOptions>().MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new RequestTooLargeException($"The request body is {context.Request.ContentLength} bytes; the limit is {limit} bytes.");
        }
        using var buffer = new MemoryStream();
        await CopyWithLimitAsync(context.Request.Body, buffer, limit, context.RequestAborted);
        if (buffer.Length == 0)
        {
            throw new InvalidRequestException("The request body is empty; send a JSON object.");
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        JsonText.Validate(bytes.Span);
        return bytes;
    }

    private static async Task CopyWithLimitAsync(Stream source, Stream destination, long limit, CancellationToken ct)
    {
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            if (destination.Length + read > limit)
            {
                throw new RequestTooLargeException($"The request body is larger than the limit of {limit} bytes.");
            }
            await destination.WriteAsync(chunk.AsMemory(0, read), ct);
        }
    }
}
