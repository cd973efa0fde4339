using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>A loopback Kestrel site for web_fetch: an HTML page, redirects, a large page and a binary file.</summary>
public sealed class WebPagesServer : IAsyncDisposable
{
    public const string Html = """
        <!doctype html><html><head><title>Hangar &amp; Friends</title>
        <style>body { color: red; } .secret-style {}</style>
        <script>var secretScript = "do not show";</script></head>
        <body><h1>Welcome</h1><p>First paragraph with <b>bold</b> text.</p><!-- hidden comment -->
        <ul><li>one</li><li>two</li></ul><noscript>enable js</noscript></body></html>
        """;

    private readonly WebApplication app;
    private int requests;

    private WebPagesServer(WebApplication app) => this.app = app;

    public int Port { get; private set; }

    public int Requests => Volatile.Read(ref requests);

    public static async Task<WebPagesServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new WebPagesServer(app);
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server.requests);
            await next(context);
        });
        app.MapGet("/page", () => Results.Content(Html, "text/html; charset=utf-8"));
        app.MapGet("/plain", () => Results.Text("just text", "text/plain"));
        app.MapGet("/long", () => Results.Text(new string('x', 10_000), "text/plain"));
        app.MapGet("/binary", () => Results.Bytes(new byte[] { 0, 1, 2 }, "application/octet-stream"));
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        await app.StartAsync();
        server.Port = new Uri(app.Urls.Single()).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
