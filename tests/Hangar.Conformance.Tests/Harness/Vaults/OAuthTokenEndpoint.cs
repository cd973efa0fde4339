using System.Collections.Concurrent;
using Hangar.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>
/// A real OAuth token endpoint on loopback (Kestrel) for the refresh-token grant: records each request's
/// form and answers with the configured tokens.
/// </summary>
public sealed class OAuthTokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OAuthTokenEndpoint(WebApplication app) => _app = app;

    public ConcurrentQueue<Dictionary<string, string>> Requests { get; } = new();

    public Uri Url => new(ServerAddresses.Of(_app), "/token");

    public static async Task<OAuthTokenEndpoint> StartAsync(string accessToken, string refreshToken, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new OAuthTokenEndpoint(app);
        app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            endpoint.Requests.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            return Results.Json(new { access_token = accessToken, refresh_token = refreshToken, expires_in = 3600, token_type = "Bearer" });
        });
        await app.StartAsync(ct);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
