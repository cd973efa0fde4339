using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Tools;
using Hangar.Tools.Network;

namespace Hangar.Sandbox.Network;

/// <summary>
/// web_fetch on the host: HTTP(S) GET with redirects followed by hand (each hop re-checked against the
/// agent's domain filter), the proxy's SSRF guard applied to every address a name resolves to (at connect
/// time, so the address checked is the one connected to: no DNS rebinding), a body cap, a timeout, and
/// HTML turned into plain text. Disallowed URLs give the error result <c>url_not_allowed: …</c>.
/// </summary>
public sealed class HttpWebFetcher : IWebFetcher, IDisposable, IAsyncDisposable
{
    private const int CharsPerToken = 4;
    private readonly WebFetchOptions options;
    private readonly HttpClient http;

    public HttpWebFetcher(WebFetchOptions options)
    {
        this.options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        };
        http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Hangar-web_fetch/1.0");
    }

    public async Task<ToolResult> FetchAsync(JsonObject input, WebToolConfig config, CancellationToken ct)
    {
        var text = (input["url"] as JsonValue)?.TryGetValue<string>(out var s) == true ? s : null;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            return ToolResult.Text("web_fetch: 'url' must be an absolute http or https URL", isError: true);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        try
        {
            for (var hop = 0; ; hop++)
            {
                if (!WebDomainRules.Allows(config, url.IdnHost))
                    return NotAllowed(url, "its domain is not allowed by this agent's web_fetch configuration");
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= options.MaxRedirects)
                        return ToolResult.Text($"web_fetch: too many redirects (more than {options.MaxRedirects}) from {text}", isError: true);
                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                        return NotAllowed(url, "redirects may only lead to http or https URLs");
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    return ToolResult.Text($"web_fetch: {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}", isError: true);
                return await ReadAsync(url, response, config, timeout.Token);
            }
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            return NotAllowed(url, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return ToolResult.Text($"web_fetch: could not fetch {url}: {e.Message}", isError: true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ToolResult.Text($"web_fetch: timed out after {options.Timeout.TotalSeconds:0} s fetching {url}", isError: true);
        }
    }

    private async Task<ToolResult> ReadAsync(Uri url, HttpResponseMessage response, WebToolConfig config, CancellationToken ct)
    {
        var type = response.Content.Headers.ContentType;
        var media = type?.MediaType?.ToLowerInvariant() ?? "text/plain";
        var isHtml = media is "text/html" or "application/xhtml+xml";
        if (!isHtml && !media.StartsWith("text/", StringComparison.Ordinal) && !media.EndsWith("json", StringComparison.Ordinal)
            && !media.EndsWith("xml", StringComparison.Ordinal) && media != "application/javascript")
            return ToolResult.Text($"web_fetch: {url} returned {media}, which is not text (web_fetch returns text and HTML only)", isError: true);

        var (bytes, cut) = await ReadCappedAsync(response.Content, ct);
        var body = Decode(bytes, type);
        var content = isHtml ? HtmlText.Convert(body) : body.Trim();
        var maxChars = Math.Min(ToolLimits.MaxResultChars - 200, (long?)config.MaxContentTokens * CharsPerToken ?? long.MaxValue);
        var notes = new StringBuilder();
        if (cut)
            notes.Append($"\n[response body cut at {options.MaxBytes >> 10} KiB]");
        if (content.Length > maxChars)
        {
            content = content[..(int)maxChars];
            notes.Append(config.MaxContentTokens is { } tokens && tokens * CharsPerToken <= maxChars
                ? $"\n[content truncated to max_content_tokens={tokens}]"
                : "\n[content truncated]");
        }
        return ToolResult.Text($"URL: {url}\nContent-Type: {media}\n\n{content}{notes}");
    }

    private async Task<(byte[] Bytes, bool Cut)> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length <= options.MaxBytes)
        {
            var read = await stream.ReadAsync(chunk, ct);
            if (read == 0)
                return (buffer.ToArray(), false);
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray()[..options.MaxBytes], true);
    }

    private static string Decode(byte[] bytes, MediaTypeHeaderValue? type)
    {
        try
        {
            if (type?.CharSet is { Length: > 0 } charset)
                return Encoding.GetEncoding(charset.Trim('"')).GetString(bytes);
        }
        catch (ArgumentException)
        {
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await options.Resolver(host, ct);
        if (addresses.Length == 0)
            throw new HttpRequestException($"{host} has no address");
        foreach (var address in addresses)
        {
            if (EgressAddressGuard.Check(address, options.AllowPrivateEgress, literal is null ? host : null) is { } reason)
                throw new EgressRefusedException(
                    $"{host} resolves to {address} ({reason}); web_fetch refuses such addresses" + EgressAddressGuard.Hint(address, options.AllowPrivateEgress));
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static EgressRefusedException? Refusal(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is EgressRefusedException refused)
                return refused;
        return null;
    }

    private static ToolResult NotAllowed(Uri url, string why) =>
        ToolResult.Text($"url_not_allowed: {url} — {why}", isError: true);

    public void Dispose() => http.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class EgressRefusedException(string message) : IOException(message);
}
