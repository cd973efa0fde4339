using System.Net.Sockets;
using System.Text;
using Hangar.Server.Tests.BadInput;
using Hangar.Storage;

namespace Hangar.Server.Tests.Limits;

/// <summary>
/// Bodies over the caps (here 512 KiB for JSON, 256 KiB for files) are refused with 413
/// <c>request_too_large</c> and store nothing: a declared length before a byte is read, a chunked
/// body as soon as it passes the cap.
/// </summary>
public sealed class RequestSizeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("/v1/agents", ServerFixture.MaxRequestBodyBytes + 1)]
    [InlineData("/v1/sessions", 1_000_000_000)]
    [InlineData("/v1/files", 600L * 1024 * 1024)]
    public async Task A_declared_length_over_the_cap_is_refused_before_the_body_is_sent(string path, long length)
    {
        var (workspaceId, key) = await server.AddWorkspaceAsync("size-" + Guid.NewGuid().ToString("N"));
        // Only the headers go out: the answer must come without the server waiting for the body.
        var response = await RawHeadersOnlyAsync(path, key, length);
        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"request_too_large\"", response, StringComparison.Ordinal);
        Assert.Contains("request-id: req_", response, StringComparison.OrdinalIgnoreCase);
        await AssertNothingStoredAsync(workspaceId);
    }

    [Fact]
    public async Task A_chunked_json_body_is_cut_off_at_the_cap()
    {
        var (workspaceId, key) = await server.AddWorkspaceAsync("size-" + Guid.NewGuid().ToString("N"));
        using var client = server.CreateClient(key);
        var json = $$"""{"name":"big","model":"claude-sonnet-4-6","system":"{{new string('s', (int)ServerFixture.MaxRequestBodyBytes + 100_000)}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/agents") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        var body = ServerFixture.TryParse(await response.Content.ReadAsStringAsync());
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal("request_too_large", (string?)body?["error"]?["type"]);
        await AssertNothingStoredAsync(workspaceId);
    }

    [Fact]
    public async Task A_chunked_upload_over_the_file_limit_is_refused_and_stores_nothing()
    {
        var (workspaceId, key) = await server.AddWorkspaceAsync("size-" + Guid.NewGuid().ToString("N"));
        using var client = server.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/files")
        {
            Content = BadInputSeed.Multipart(new byte[ServerFixture.MaxFileBytes * 2], "big.bin"),
        };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        var body = ServerFixture.TryParse(await response.Content.ReadAsStringAsync());
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal("request_too_large", (string?)body?["error"]?["type"]);
        await AssertNothingStoredAsync(workspaceId);
    }

    [Fact]
    public async Task An_upload_at_the_file_limit_is_accepted()
    {
        var (_, key) = await server.AddWorkspaceAsync("size-" + Guid.NewGuid().ToString("N"));
        using var client = server.CreateClient(key);
        using var upload = BadInputSeed.Multipart(new byte[ServerFixture.MaxFileBytes], "exact.bin");
        using var response = await client.PostAsync("/v1/files", upload);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task AssertNothingStoredAsync(string workspaceId)
    {
        foreach (var kind in new[] { ResourceKind.Agent, ResourceKind.Session, ResourceKind.File })
        {
            var page = await server.Store.Resources.ListAsync(kind, workspaceId, new ResourceQuery(10), CancellationToken.None);
            Assert.Empty(page.Items);
        }
    }

    private async Task<string> RawHeadersOnlyAsync(string path, string key, long contentLength)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var contentType = path == "/v1/files" ? "multipart/form-data; boundary=x" : "application/json";
        var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nx-api-key: {key}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new StringBuilder();
        var buffer = new byte[8192];
        // Read until the error body has arrived (the server closes the connection after it, or we stop at the body's end).
        while (!received.ToString().Contains("\"request_id\"", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return received.ToString();
    }
}
