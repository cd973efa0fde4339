using System.Text;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refused uploads whose hostility is in the multipart headers: file names that would inject a
/// header when echoed in <c>Content-Disposition</c>, spoof an extension, escape a directory or
/// overflow a file-system name (255 bytes), and part names and types that do not fit. The
/// multipart bodies are written byte by byte, since HttpClient would escape what these rows need raw.
/// </summary>
public abstract class FileBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";

    private static readonly string[] StatePaths = ["/v1/files?limit=1000"];

    public static TheoryData<BadInputCase> Cases() =>
    [
        Upload("filename with CR LF", "a.txt\r\nSet-Cookie: x=y"),
        Upload("filename with bare LF", "a\nb.txt"),
        Upload("filename with NUL", "a\0.txt"),
        Upload("filename with escape character", "a\u001b[31m.txt"),
        Upload("filename with RTL override", "invoice\u202Etxt.exe"),
        Upload("filename with left-to-right isolate", "a\u2066b.txt"),
        Upload("filename is a dot-dot", ".."),
        Upload("filename is a dot", "."),
        Upload("filename is a directory", "../../"),
        Upload("filename of 256 ASCII", new string('f', 256)),
        Upload("filename of 100 emoji (400 bytes)", string.Concat(Enumerable.Repeat("\U0001F600", 100))),
        Upload("filename of 128 two-byte letters (256 bytes)", new string('é', 128)),
        Upload("filename empty", ""),
        Raw("file part without filename", "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--b--\r\n"),
        Raw("file part under another name", "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n\r\nabc\r\n--b--\r\n"),
        Raw("expires twice", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"expires_in_seconds\"\r\n\r\n3600\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"expires_in_seconds\"\r\n\r\n7200\r\n--b--\r\n"),
        Raw("expires negative", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"expires_in_seconds\"\r\n\r\n-3600\r\n--b--\r\n"),
        Raw("expires over the maximum", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"expires_in_seconds\"\r\n\r\n7776001\r\n--b--\r\n"),
        Raw("part type not a media type", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: ../../etc\r\n\r\nabc\r\n--b--\r\n"),
        Raw("part type over 255", $"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/{new string('x', 300)}\r\n\r\nabc\r\n--b--\r\n"),
    ];

    /// <summary>A well-formed upload of <c>abc</c> whose only fault is its file name (sent as raw UTF-8 in a quoted string).</summary>
    private static BadInputCase Upload(string name, string filename) =>
        Raw(name, $"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--\r\n");

    private static BadInputCase Raw(string name, string body) =>
        new(name, "POST", "/v1/files", 400, Bad) { RawBody = Encoding.UTF8.GetBytes(body), ContentType = "multipart/form-data; boundary=b" };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteFileBadInputTests(BadInputSeed server) : FileBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresFileBadInputTests(PostgresBadInputSeed server) : FileBadInputTests(server);
