using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
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
    private const int MaxMimeTypeLength = 255;
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
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel cut a chunked body off at the cap (an IOException too, so before the next clause).
            throw new RequestTooLargeException($"The file is larger than this server's limit of {maxFileBytes} bytes.");
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            // A body that ends before its closing boundary.
            throw new InvalidRequestException($"The multipart body is malformed ({e.Message}).");
        }
        var file = form.Files.GetFile("file")
            ?? throw new InvalidRequestException("file: Field required; send the content as a multipart part named 'file' with a filename.");
        if (file.Length > maxFileBytes)
        {
            throw new RequestTooLargeException($"The file is {file.Length} bytes; this server's limit is {maxFileBytes} bytes.");
        }
        var filename = FileName(file.FileName);
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, ct);
        }
        return new FileUpload(filename, ResolveMimeType(file.ContentType, filename), bytes, ExpiresIn(form));
    }

    /// <summary>
    /// The name's last path segment, refused when it could not be a file's name on disk (empty,
    /// <c>.</c>, <c>..</c>, over 255 UTF-8 bytes, not Unicode) or could do harm where it is shown
    /// or echoed: control characters (CR/LF in a <c>Content-Disposition</c> header, NUL, terminal
    /// escapes) and bidirectional controls (<c>invoice\u202Etxt.exe</c> reads as <c>invoiceexe.txt</c>).
    /// </summary>
    private static string FileName(string declared)
    {
        var filename = Path.GetFileName(declared.Replace('\\', '/'));
        if (filename is "" or "." or ".." || !IsUnicode(filename) || Encoding.UTF8.GetByteCount(filename) > MaxFilenameLength)
        {
            throw new InvalidRequestException($"file: the filename must be a name of 1 to {MaxFilenameLength} UTF-8 bytes, not '.' or '..'.");
        }
        if (filename.Any(c => char.IsControl(c) || IsBidiControl(c)))
        {
            throw new InvalidRequestException("file: the filename may not contain control characters (such as CR, LF or NUL) or bidirectional text controls.");
        }
        return filename;
    }

    private static bool IsUnicode(string text)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>The part's own type, else a guess from the extension; <c>application/octet-stream</c> counts as unspecified.</summary>
    private static string ResolveMimeType(string? declared, string filename)
    {
        if (!string.IsNullOrWhiteSpace(declared) && !declared.StartsWith(OctetStream, StringComparison.OrdinalIgnoreCase))
        {
            // Echoed as the download's Content-Type: it must be one media type, nothing else.
            return declared.Length <= MaxMimeTypeLength && MediaTypeHeaderValue.TryParse(declared, out var parsed) && parsed.MediaType is { } media && media.Contains('/')
                ? declared
                : throw new InvalidRequestException($"file: the part's Content-Type must be a media type such as text/plain of at most {MaxMimeTypeLength} characters.");
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
