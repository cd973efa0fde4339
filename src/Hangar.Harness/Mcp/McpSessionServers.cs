using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Harness.Log;
using Hangar.Harness.Workers;
using Hangar.Storage;
using Hangar.Tools;
using ModelContextProtocol.Protocol;

namespace Hangar.Harness.Mcp;

/// <summary>
/// The MCP servers of one session's agent, reached from the host: discovery (every server an
/// <c>mcp_toolset</c> references, in parallel) and tool calls, each with a fresh connection carrying
/// the credential <see cref="IMcpCredentials"/> finds in the session's vaults (none configured or none
/// found: the server is called without one). Failures become <c>session.error</c> events; the session
/// carries on without that server.
/// </summary>
public sealed class McpSessionServers(HarnessOptions options, string workspaceId, string sessionId, IReadOnlyList<string> vaultIds, JsonObject agent)
{
    private const int MaxDescriptionChars = 4096;

    private McpConnectionOptions ConnectionOptions => new(options.AllowPrivateEgress, options.McpConnectTimeout, options.McpCallTimeout);

    /// <summary>Servers referenced by an <c>mcp_toolset</c>, in toolset order, with their URLs.</summary>
    public IReadOnlyList<(string Name, string Url)> Referenced()
    {
        var urls = (agent["mcp_servers"] as JsonArray ?? []).OfType<JsonObject>()
            .ToDictionary(s => (string)s["name"]!, s => (string)s["url"]!, StringComparer.Ordinal);
        return [.. (agent["tools"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => (string?)t["type"] == "mcp_toolset")
            .Select(t => (string)t["mcp_server_name"]!)
            .Distinct(StringComparer.Ordinal)
            .Where(urls.ContainsKey)
            .Select(name => (name, urls[name]))];
    }

    /// <summary>Lists every referenced server's tools; <paramref name="taken"/> holds the names already offered.</summary>
    public async Task<(McpToolCatalog Catalog, List<NewEvent> Errors)> DiscoverAsync(ISet<string> taken, TimeProvider time, CancellationToken ct)
    {
        var servers = Referenced();
        var listings = await Task.WhenAll(servers.Select(s => ListAsync(s.Name, s.Url, ct)));
        var errors = new List<NewEvent>();
        var catalog = new List<McpServerTools>();
        for (var i = 0; i < servers.Count; i++)
        {
            if (listings[i].Failure is { } failure)
            {
                errors.Add(HarnessEvents.McpError(failure.ErrorType, failure.ServerName, failure.Message, time.GetUtcNow()));
                catalog.Add(new McpServerTools(servers[i].Name, [], failure.ErrorType));
                continue;
            }
            var name = servers[i].Name;
            catalog.Add(new McpServerTools(name, [.. listings[i].Tools.Select(t => new McpToolDefinition(
                t.Name, McpToolNames.For(name, t.Name, taken), Description(t.Description), Schema(t.InputSchema)))], null));
        }
        return (new McpToolCatalog(catalog), errors);
    }

    /// <summary>Calls <paramref name="tool"/> on <paramref name="server"/>: the result and, if the server failed, the error event.</summary>
    public async Task<(ToolResult Result, NewEvent? Error)> CallAsync(string server, string tool, JsonObject input, int outputLimit, TimeProvider time, CancellationToken ct)
    {
        var url = Referenced().FirstOrDefault(s => s.Name == server).Url;
        if (url is null)
        {
            return (ToolResult.Text($"The MCP server '{server}' is not configured for this session.", isError: true), null);
        }
        try
        {
            await using var connection = await ConnectAsync(server, url, ct);
            var arguments = input.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
            return (McpOutput.From(await connection.CallToolAsync(tool, arguments, ct), outputLimit), null);
        }
        catch (McpServerException e)
        {
            return (ToolResult.Text(e.Message, isError: true), HarnessEvents.McpError(e.ErrorType, server, e.Message, time.GetUtcNow()));
        }
    }

    private async Task<(IReadOnlyList<Tool> Tools, McpServerException? Failure)> ListAsync(string server, string url, CancellationToken ct)
    {
        try
        {
            await using var connection = await ConnectAsync(server, url, ct);
            return (await connection.ListToolsAsync(ct), null);
        }
        catch (McpServerException e)
        {
            return ([], e);
        }
    }

    private async Task<McpConnection> ConnectAsync(string server, string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new McpServerException(McpServerException.ConnectionFailed, server, $"The MCP server '{server}' has no usable http(s) URL.");
        }
        McpToken? token = null;
        if (options.McpCredentials is { } credentials)
        {
            try
            {
                token = await credentials.GetTokenAsync(new McpCredentialRequest(workspaceId, sessionId, vaultIds, server, url), ct);
            }
            catch (McpCredentialException e)
            {
                throw new McpServerException(e.ErrorType, server, $"The credential for the MCP server '{server}' can't be used: {e.Message}", e);
            }
        }
        return await McpConnection.OpenAsync(new McpEndpoint(server, uri, token?.AccessToken), ConnectionOptions, ct);
    }

    private static string? Description(string? description) =>
        description is { Length: > MaxDescriptionChars } ? description[..MaxDescriptionChars] : description;

    /// <summary>The server's input schema if it is a JSON object schema; otherwise one accepting any object.</summary>
    private static JsonObject Schema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && JsonNode.Parse(schema.GetRawText()) is JsonObject parsed
            && parsed["type"] is JsonValue type && type.TryGetValue<string>(out var kind) && kind == "object"
            ? parsed
            : new JsonObject { ["type"] = "object" };
}
