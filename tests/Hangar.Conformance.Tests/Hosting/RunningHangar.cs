using System.Net.Http.Headers;
using Anthropic;
using Anthropic.Core;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;

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
    public static async Task<RunningHangar> StartAsync(StoreOptions store, string? scratchDirectory, CancellationToken ct, WorkerSettings? workers = null)
    {
        var apiKey = ApiKeys.Generate();
        var app = await HangarServer.BuildAsync(
            new HangarServerOptions
            {
                Port = 0,
                ListenAddress = "127.0.0.1",
                Store = store,
                BootstrapApiKey = apiKey,
                StreamHeartbeat = Heartbeat,
                // The API tests pin the contract of sessions without an agent loop.
                RunWorkers = workers is not null,
                Workers = workers ?? new WorkerSettings(),
            },
            ct);
        await app.StartAsync(ct);
        return new RunningHangar(app, ServerAddresses.Of(app), apiKey, scratchDirectory);
    }

    /// <summary>
    /// The official client exactly as a user would build it: only the base URL and key change.
    /// Retries stay at the SDK default so retry-related headers are exercised for real.
    /// </summary>
    public AnthropicClient Client(params DelegatingHandler[] handlers) =>
        new(new ClientOptions
        {
            BaseUrl = BaseUrl.ToString().TrimEnd('/'),
            ApiKey = ApiKey,
            Handlers = handlers,
            Timeout = TimeSpan.FromSeconds(30),
        });

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
