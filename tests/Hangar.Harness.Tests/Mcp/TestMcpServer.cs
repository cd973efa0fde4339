using System.Collections.Concurrent;
using System.ComponentModel;
using Hangar.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Hangar.Harness.Tests.Mcp;

/// <summary>
/// A real MCP server (ModelContextProtocol.AspNetCore, streamable HTTP on loopback) with an issue
/// tracker's <c>create_issue</c> and <c>list_issues</c> tools, answering 401 to any request without
/// <c>Authorization: Bearer &lt;Token&gt;</c>. Records the issues created and the headers it saw.
/// </summary>
public sealed class TestMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _created;

    private TestMcpServer(WebApplication app, string token, ConcurrentQueue<string> created)
    {
        _app = app;
        Token = token;
        _created = created;
    }

    public string Token { get; }

    /// <summary>The MCP endpoint, e.g. <c>http://127.0.0.1:41234/mcp</c>.</summary>
    public Uri Url => new(ServerAddresses.Of(_app), "/mcp");

    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    public static async Task<TestMcpServer> StartAsync(string token = "test-mcp-token-5f1c")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var created = new ConcurrentQueue<string>();
        builder.Services.AddMcpServer()
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools([
                McpServerTool.Create(
                    [Description("Creates an issue in the tracker.")] (string title) =>
                    {
                        created.Enqueue(title);
                        return $"Created issue #{created.Count}: {title}";
                    },
                    new McpServerToolCreateOptions { Name = "create_issue" }),
                McpServerTool.Create(
                    [Description("Lists the open issues.")] () => string.Join("\n", created),
                    new McpServerToolCreateOptions { Name = "list_issues" }),
            ]);
        var app = builder.Build();
        var server = new TestMcpServer(app, token, created);
        app.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            server.AuthorizationHeaders.Enqueue(header);
            if (header != "Bearer " + token)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        return server;
    }

    /// <summary>Titles of the issues created so far, in order.</summary>
    public IReadOnlyList<string> Issues => [.. _created];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
