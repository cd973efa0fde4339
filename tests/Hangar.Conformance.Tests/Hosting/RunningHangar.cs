using System.Net.Http.Headers;
using Anthropic;
using Anthropic.Core;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>
/// A real Hangar server on a free loopback port with its own store, reached only over HTTP.
/// </summary>
public sealed class RunningHangar : IAsyncDisposable
{
    /// <summary>Short enough that a test sees several pings within a second or two.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(250);

    private readonly WebApplication _app;
    private readonly string? _scratchDirectory;

    private RunningHangar(WebApplication app, Uri baseUrl, string apiKey, string? scratchDirectory)
    {
        _app = app;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        _scratchDirectory = scratchDirectory;
    }

    public Uri BaseUrl { get; }

    public string ApiKey { get; }

    /// <param name="scratchDirectory">Deleted on dispose (the SQLite data directory, workspaces), if any.</param>
    /// <param name="workers">Null: API only, no agent loop; else the harness workers this server runs.</param>
    /// <param name="configure">Further options on top of the test defaults (e.g. master keys).</param>
    public static async Task<RunningHangar> StartAsync(
        StoreOptions store, string? scratchDirectory, CancellationToken ct, WorkerSettings? workers = null,
        Func<HangarServerOptions, HangarServerOptions>? configure = null)
    {
        var apiKey = ApiKeys.Generate();
        var options = new HangarServerOptions
        {
            Port = 0,
            ListenAddress = "127.0.0.1",
            Store = store,
            BootstrapApiKey = apiKey,
            StreamHeartbeat = Heartbeat,
            // The API tests pin the contract of sessions without an agent loop.
            RunWorkers = workers is not null,
            Workers = workers ?? new WorkerSettings(),
            // Test classes drive hundreds of requests a minute through one workspace; LimitsTests sets its own.
            Limits = Hangar.Server.Http.RequestLimits.Unlimited,
        };
        var app = await HangarServer.BuildAsync(configure is null ? options : configure(options), ct);
        await app.StartAsync(ct);
        return new RunningHangar(app, ServerAddresses.Of(app), apiKey, scratchDirectory);
    }

    /// <summary>
    /// The official client exactly as a user would build it: only the base URL and key change.
    /// Retries stay at the SDK default so retry-related headers are exercised for real.
    /// </summary>
    public AnthropicClient Client(params DelegatingHandler[] handlers) => ClientWithKey(ApiKey, handlers);

    /// <summary>The official client with another API key (another workspace's).</summary>
    public AnthropicClient ClientWithKey(string apiKey, params DelegatingHandler[] handlers) =>
        new(new ClientOptions
        {
            BaseUrl = BaseUrl.ToString().TrimEnd('/'),
            ApiKey = apiKey,
            Handlers = handlers,
            Timeout = TimeSpan.FromSeconds(30),
        });

    /// <summary>The server's store, for what only an operator can do (e.g. mint environment keys).</summary>
    public IHangarStore Store => _app.Services.GetRequiredService<IHangarStore>();

    /// <summary>A fresh API key of a new workspace with this name: a second tenant.</summary>
    public async Task<string> AddWorkspaceKeyAsync(string name, CancellationToken ct)
    {
        var store = _app.Services.GetRequiredService<IHangarStore>();
        var workspaceId = await store.Workspaces.EnsureAsync(name, ct);
        var key = ApiKeys.Generate();
        await store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(key), ct);
        return key;
    }

    /// <summary>A plain HTTP client for what the SDK hides (headers, raw JSON, SSE framing).</summary>
    public HttpClient Raw(bool authenticated = true)
    {
        var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (authenticated)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_scratchDirectory is not null)
        {
            try
            {
                Directory.Delete(_scratchDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold a handle for a moment; a leftover temp dir is harmless.
            }
        }
    }
}
