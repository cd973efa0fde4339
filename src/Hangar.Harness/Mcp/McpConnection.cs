using System.Net;
using System.Text.Json;
using Hangar.Tools.Network;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Hangar.Harness.Mcp;

/// <summary>Where and how to reach one MCP server. <see cref="ToString"/> never shows the token.</summary>
public sealed record McpEndpoint(string ServerName, Uri Url, string? AccessToken)
{
    public override string ToString() => $"McpEndpoint({ServerName}, {Url})";
}

/// <summary>Limits for host-side MCP traffic.</summary>
public sealed record McpConnectionOptions(Hangar.Tools.Network.PrivateEgressAllowlist AllowPrivateEgress, TimeSpan ConnectTimeout, TimeSpan CallTimeout);

/// <summary>
/// One MCP client session over streamable HTTP (official SDK), opened from the host: the token goes
/// in the Authorization header, connections pass the SSRF guard, and every failure becomes an
/// <see cref="McpServerException"/> of the right <c>session.error</c> type — never a hang (connect and
/// call are bounded) and never a crash.
/// </summary>
public sealed class McpConnection : IAsyncDisposable
{
    private static readonly Implementation ClientInfo = new() { Name = "hangar", Version = "1.0" };
    private readonly McpClient _client;
    private readonly McpEndpoint _endpoint;
    private readonly StatusRecorder _statuses;
    private readonly McpConnectionOptions _options;

    private McpConnection(McpClient client, McpEndpoint endpoint, StatusRecorder statuses, McpConnectionOptions options)
    {
        _client = client;
        _endpoint = endpoint;
        _statuses = statuses;
        _options = options;
    }

    public static async Task<McpConnection> OpenAsync(McpEndpoint endpoint, McpConnectionOptions options, CancellationToken ct)
    {
        var statuses = new StatusRecorder(GuardedHttpHandler.Create(options.AllowPrivateEgress, options.ConnectTimeout));
        var http = new HttpClient(statuses) { Timeout = Timeout.InfiniteTimeSpan };
        var headers = new Dictionary<string, string>();
        if (endpoint.AccessToken is { } token)
        {
            headers["Authorization"] = "Bearer " + token;
        }
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = endpoint.Url,
                Name = endpoint.ServerName,
                TransportMode = HttpTransportMode.StreamableHttp,
                ConnectionTimeout = options.ConnectTimeout,
                AdditionalHeaders = headers,
            },
            http, NullLoggerFactory.Instance, ownsHttpClient: true);
        using var limit = Limit(options.ConnectTimeout, ct);
        try
        {
            var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = ClientInfo }, NullLoggerFactory.Instance, limit.Token);
            return new McpConnection(client, endpoint, statuses, options);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await transport.DisposeAsync();
            http.Dispose();
            throw Classify(e, endpoint, statuses, options.ConnectTimeout, "connect");
        }
    }

    /// <summary>All the server's tools, in its order (following pagination).</summary>
    public async Task<IReadOnlyList<Tool>> ListToolsAsync(CancellationToken ct)
    {
        using var limit = Limit(_options.CallTimeout, ct);
        try
        {
            var tools = new List<Tool>();
            string? cursor = null;
            do
            {
                var page = await _client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor }, limit.Token);
                tools.AddRange(page.Tools);
                cursor = page.NextCursor;
            }
            while (cursor is not null && tools.Count < 1000);
            return tools;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Classify(e, _endpoint, _statuses, _options.CallTimeout, "list its tools");
        }
    }

    /// <summary>
    /// Calls a tool. A tool that fails returns <c>isError</c>; a JSON-RPC error (unknown tool, bad
    /// arguments) comes back as an error result too, since the server was reached and answered.
    /// </summary>
    public async Task<CallToolResult> CallToolAsync(string name, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken ct)
    {
        using var limit = Limit(_options.CallTimeout, ct);
        try
        {
            return await _client.CallToolAsync(
                new CallToolRequestParams { Name = name, Arguments = arguments.ToDictionary() }, limit.Token);
        }
        catch (McpProtocolException e) when (!ct.IsCancellationRequested && !_statuses.Rejected)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"The MCP server returned an error: {e.Message}" }] };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Classify(e, _endpoint, _statuses, _options.CallTimeout, $"call {name}");
        }
    }

    private static CancellationTokenSource Limit(TimeSpan timeout, CancellationToken ct)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        return limit;
    }

    private static McpServerException Classify(Exception e, McpEndpoint endpoint, StatusRecorder statuses, TimeSpan timeout, string doing)
    {
        var server = endpoint.ServerName;
        if (statuses.Rejected)
        {
            var why = endpoint.AccessToken is null
                ? $"it requires authentication and no vault of this session holds a credential for {endpoint.Url}"
                : "it rejected the session's credential";
            return new McpServerException(McpServerException.AuthenticationFailed, server,
                $"Authentication to the MCP server '{server}' failed (HTTP {(int)statuses.LastRejection}): {why}.", e);
        }
        if (Find<EgressRefusedException>(e) is { } refused)
        {
            return new McpServerException(McpServerException.ConnectionFailed, server, $"Could not connect to the MCP server '{server}': {refused.Message}", e);
        }
        if (e is OperationCanceledException or TimeoutException)
        {
            return new McpServerException(McpServerException.ConnectionFailed, server,
                $"The MCP server '{server}' did not respond within {timeout.TotalSeconds:0.#} s (trying to {doing}).", e);
        }
        var detail = Find<HttpRequestException>(e)?.Message ?? e.Message;
        return new McpServerException(McpServerException.ConnectionFailed, server,
            $"Could not {doing} on the MCP server '{server}' at {endpoint.Url}: {detail}", e);
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException ?? (e as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            if (e is T match)
            {
                return match;
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.DisposeAsync();
        }
        catch (Exception)
        {
            // Closing a session the server already dropped fails; there is nothing left to release.
        }
    }

    /// <summary>Notes 401/403 answers: the SDK's exceptions don't reliably carry the status.</summary>
    private sealed class StatusRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public HttpStatusCode LastRejection { get; private set; }

        public bool Rejected => LastRejection != 0;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                LastRejection = response.StatusCode;
            }
            return response;
        }
    }
}
