using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Resources;

/// <summary>
/// Downloads are always attachments the browser may not sniff, and an uploader's file name cannot break out of
/// the <c>Content-Disposition</c> header (CR/LF, quotes) however it was sent.
/// </summary>
public sealed class DownloadHeaderTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Uploads with a hand-written part header, so the name reaches the server exactly as a hostile client sends it.</summary>
    private async Task<string> UploadAsync(string dispositionTail, string contentType)
    {
        const string boundary = "hangar-download-boundary";
        var body = new MemoryStream();
        body.Write(Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; {dispositionTail}\r\n"
            + $"Content-Type: {contentType}\r\n\r\n<script>alert(1)</script>\r\n--{boundary}--\r\n"));
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        using var response = await server.Client.PostAsync("/v1/files", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    [Fact]
    public async Task A_name_with_quotes_and_semicolons_cannot_break_out_of_the_header_and_the_download_is_a_nosniff_attachment()
    {
        // filename* wins on upload and carries a quote and parameter separators once percent-decoded. (CR/LF never get
        // this far: an upload naming them is refused, see BadInput/FileBadInputTests.)
        var id = await UploadAsync("filename=\"x.html\"; filename*=UTF-8''evil%22%3B%20filename%3Dother.exe%3B%20.html", "text/html");
        using var response = await server.Client.GetAsync($"/v1/files/{id}/content");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var header = Assert.Single(response.Content.Headers.GetValues("Content-Disposition"));
        Assert.StartsWith("attachment; filename=\"", header);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.DoesNotContain('"', disposition.FileName!.Trim('"'));
        Assert.Equal("evil\"; filename=other.exe; .html", disposition.FileNameStar);
    }

    [Fact]
    public async Task A_unicode_name_keeps_its_exact_form_in_filename_star_and_an_ascii_fallback()
    {
        var id = await UploadAsync("filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%80%9Cfinal%E2%80%9D.pdf", "application/pdf");
        using var response = await server.Client.GetAsync($"/v1/files/{id}/content");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("r_sum_ _final_.pdf", disposition.FileName!.Trim('"'));
        Assert.Equal("résumé “final”.pdf", disposition.FileNameStar);
    }

    [Fact]
    public async Task Error_answers_of_the_download_route_are_nosniff_too()
    {
        using var response = await server.Client.GetAsync("/v1/files/file_011CZkYpogX7uDKUyvBTophP/content");
        Assert.True((int)response.StatusCode >= 400);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
