using System.Net;
using Hangar.Server.Endpoints;
using Hangar.Server.Harness;
using Hangar.Server.Http;
using Hangar.Storage;
using Hangar.Vault;

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
        // The workers log like the web host; the factory lives as long as the app.
        var workerLoggers = LoggerFactory.Create(ConfigureLogging);
        var vaultLog = workerLoggers.CreateLogger("Hangar.Vault");
        SecretCipher cipher;
        IHangarStore store;
        try
        {
            cipher = options.MasterKeys ?? MasterKeys.ForStore(options.Store, notice => vaultLog.LogWarning("{Notice}", notice));
            store = options.WaitForStore is { } waiting
                ? await HangarStore.OpenPatientlyAsync(options.Store, waiting, options.Time, ct)
                : await HangarStore.OpenAsync(options.Store, ct);
        }
        catch
        {
            workerLoggers.Dispose();
            throw;
        }
        try
        {
            // Refuse to start when stored secrets could not be opened (no key, or the wrong one).
            if ((await VaultStartup.CheckAsync(store.Vaults, cipher, ct)).PlaintextTokens is > 0 and var plaintext)
            {
                vaultLog.LogWarning("{Count} repository token(s) stored in plaintext by an older Hangar: run `hangar vault rotate-key` to seal them.", plaintext);
            }
            if (!string.IsNullOrEmpty(options.BootstrapApiKey))
            {
                var workspaceId = await store.Workspaces.EnsureAsync("default", ct);
                await store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(options.BootstrapApiKey), ct);
            }
            var harness = options.RunWorkers
                ? await WorkerHosting.CreateAsync(store, options.Store, options.Workers, cipher, options.Time, workerLoggers, ct)
                : null;
            var app = Build(options, store, harness, new CredentialSecrets(cipher));
            app.Lifetime.ApplicationStopped.Register(workerLoggers.Dispose);
            return app;
        }
        catch
        {
            workerLoggers.Dispose();
            await store.DisposeAsync();
            throw;
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging) =>
        logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

    private static WebApplication Build(HangarServerOptions options, IHangarStore store, HarnessHost? harness, CredentialSecrets secrets)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
            // The largest any route accepts; RequestSizeLimits lowers it per request.
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxRequestBodyBytes, options.MaxFileBytes + RequestSizeLimits.MultipartAllowance);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton(secrets);
        builder.Services.AddSingleton(options.Limits);
        builder.Services.AddSingleton<StreamSubscriberLimits>();
        builder.Services.AddHangarRateLimits(options.Limits);
        builder.Services.ConfigureHttpJsonOptions(json => WireJson.Configure(json.SerializerOptions));
        if (harness is not null)
        {
            builder.Services.AddSingleton(harness);
            builder.Services.AddHostedService(_ => new HarnessHostService(harness));
        }

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        app.UseMiddleware<ApiErrorMiddleware>();
        // Size first: an oversized body is refused before it is read, even from an unknown caller.
        app.UseMiddleware<RequestSizeLimits>();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseMiddleware<BetaHeaderRule>();
        // After authentication: requests are counted per workspace, not per address.
        app.UseRateLimiter();
        app.MapHangarApi();
        return app;
    }
}
