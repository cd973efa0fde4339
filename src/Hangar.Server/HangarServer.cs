using System.Net;
using Hangar.Server.Endpoints;
using Hangar.Server.Harness;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server;

/// <summary>Builds Hangar's HTTP host: the store, the API routes, auth and error mapping.</summary>
public static class HangarServer
{
    /// <summary>
    /// Opens and migrates the store, records the bootstrap key, and maps every route. The caller
    /// starts the app (<c>RunAsync</c>/<c>StartAsync</c>); with <c>Port = 0</c> read the bound
    /// address from <see cref="ServerAddresses.Of"/> after starting.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(HangarServerOptions options, CancellationToken ct)
    {
        var store = await HangarStore.OpenAsync(options.Store, ct);
        try
        {
            if (!string.IsNullOrEmpty(options.BootstrapApiKey))
            {
                var workspaceId = await store.Workspaces.EnsureAsync("default", ct);
                await store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(options.BootstrapApiKey), ct);
            }
            return Build(options, store);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(HangarServerOptions options, IHangarStore store)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxRequestBodyBytes, options.MaxFileBytes);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options.Time);
        builder.Services.ConfigureHttpJsonOptions(json => WireJson.Configure(json.SerializerOptions));
        if (options.RunWorkers)
        {
            builder.Services.AddSingleton(services => WorkerHosting.CreatePool(
                store, options.Store, options.Workers, options.Time, services.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddHostedService(services => new WorkerPoolService(services.GetRequiredService<Hangar.Harness.Workers.WorkerPool>()));
        }

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.MapHangarApi();
        return app;
    }
}
