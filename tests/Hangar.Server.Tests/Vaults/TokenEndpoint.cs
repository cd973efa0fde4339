using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Hangar.Server.Tests.Vaults;

/// <summary>A real OAuth token endpoint on loopback that records each request's form and Authorization header.</summary>
public sealed class TokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TokenEndpoint(WebApplication app) => _app = app;

    public ConcurrentQueue<(Dictionary<string, string> Form, string? Authorization)> Requests { get; } = new();

    /// <summary>What the next requests get: status and JSON body.</summary>
    public (int Status, string Body) Answer { get; set; } =
        (200, """{"access_token":"REFRESHED-AT","refresh_token":"ROTATED-RT","expires_in":3600,"token_type":"Bearer"}""");

    public string Url => ServerAddresses.Of(_app) + "token";

    public static async Task<TokenEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new TokenEndpoint(app);
        app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            endpoint.Requests.Enqueue((form.ToDictionary(f => f.Key, f => f.Value.ToString()), context.Request.Headers.Authorization.ToString()));
            var (status, body) = endpoint.Answer;
            return Results.Content(body, "application/json", statusCode: status);
        });
        await app.StartAsync();
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
