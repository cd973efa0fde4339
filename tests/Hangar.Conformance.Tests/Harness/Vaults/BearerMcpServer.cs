using System.Collections.Concurrent;
using System.ComponentModel;
using Hangar.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>
/// A real MCP server (ModelContextProtocol.AspNetCore, streamable HTTP on loopback) with one tool,
/// <c>create_issue</c>, answering 401 to any request without <c>Authorization: Bearer &lt;token&gt;</c>.
/// Records the Authorization headers it saw so tests can tell which token reached it.
/// </summary>
public sealed class BearerMcpServer : IAsyncDisposable
{
    public const string Name = "tracker";
    public const string Tool = "mcp__tracker__create_issue";

    private readonly WebApplication _app;

    private BearerMcpServer(WebApplication app, ConcurrentQueue<string> issues)
    {
        _app = app;
        Issues = issues;
    }

    /// <summary>The MCP endpoint, e.g. <c>http://127.0.0.1:41234/mcp</c>.</summary>
    public Uri Url => new(ServerAddresses.Of(_app), "/mcp");

    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    /// <summary>Titles of the issues created so far: the calls that got through.</summary>
    public ConcurrentQueue<string> Issues { get; }

    public static async Task<BearerMcpServer> StartAsync(string token, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var issues = new ConcurrentQueue<string>();
        builder.Services.AddMcpServer()
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools([
                McpServerTool.Create(
                    [Description("Creates an issue in the tracker.")] (string title) =>
                    {
                        issues.Enqueue(title);
                        return $"Created issue #{issues.Count}: {title}";
                    },
                    new McpServerToolCreateOptions { Name = "create_issue" }),
            ]);
        var app = builder.Build();
        var server = new BearerMcpServer(app, issues);
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
        await app.StartAsync(ct);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
