using System.Globalization;
using Hangar.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;

namespace Hangar.Server.Resources.Files;

/// <summary>
/// A parsed <c>POST /v1/files</c> body: the multipart part <c>file</c> (bytes, name, MIME type) and
/// the optional <c>expires_in_seconds</c> field (3600–7776000).
/// </summary>
public sealed record FileUpload(string Filename, string MimeType, byte[] Bytes, long? ExpiresInSeconds)
{
    public const long MinExpiresIn = 3600;
    public const long MaxExpiresIn = 7_776_000;
    private const int MaxFilenameLength = 255;
    private const string OctetStream = "application/octet-stream";
    private static readonly FileExtensionContentTypeProvider Extensions = new();

    public static async Task<FileUpload> ReadAsync(HttpRequest request, long maxFileBytes, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            throw new InvalidRequestException("Send the file as multipart/form-data with a part named 'file'.");
        }
        IFormCollection form;
        try
        {
            // The per-part limit is the file limit; a larger part fails here, before it is buffered whole.
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxFileBytes + 1 }, ct);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestTooLargeException($"The file is larger than this server's limit of {maxFileBytes} bytes.");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidRequestException($"The multipart body is malformed ({e.Message}).");
        }
        var file = form.Files.GetFile("file")
            ?? throw new InvalidRequestException("file: Field required; send the content as a multipart part named 'file' with a filename.");
        if (file.Length > maxFileBytes)
        {
            throw new RequestTooLargeException($"The file is {file.Length} bytes; this server's limit is {maxFileBytes} bytes.");
        }
        var filename = Path.GetFileName(file.FileName.Replace('\\', '/'));
        if (filename.Length is 0 or > MaxFilenameLength)
        {
            throw new InvalidRequestException($"file: the filename must be 1 to {MaxFilenameLength} characters.");
        }
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, ct);
        }
        return new FileUpload(filename, ResolveMimeType(file.ContentType, filename), bytes, ExpiresIn(form));
    }

    /// <summary>The part's own type, else a guess from the extension; <c>application/octet-stream</c> counts as unspecified.</summary>
    private static string ResolveMimeType(string? declared, string filename)
    {
        if (!string.IsNullOrWhiteSpace(declared) && !declared.StartsWith(OctetStream, StringComparison.OrdinalIgnoreCase))
        {
            return declared;
        }
        return Extensions.TryGetContentType(filename, out var guessed) ? guessed : OctetStream;
    }

    private static long? ExpiresIn(IFormCollection form)
    {
        var text = form["expires_in_seconds"].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < MinExpiresIn || seconds > MaxExpiresIn)
        {
            throw new InvalidRequestException(
                $"expires_in_seconds: must be an integer from {MinExpiresIn} to {MaxExpiresIn} (got '{text}').");
        }
        return seconds;
    }
}
