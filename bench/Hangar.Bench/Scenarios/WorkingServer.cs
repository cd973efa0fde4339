using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// A Hangar server in this process, plus an API client for it: with in-process harness workers
/// whose every model id goes to the fake Messages server, or API-only (workers run elsewhere).
/// </summary>
public sealed class WorkingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly string? _workspaces;

    private readonly string _key;

    private WorkingServer(WebApplication app, string key, string? workspaces)
    {
        _app = app;
        _key = key;
        _workspaces = workspaces;
        Client = NewClient();
    }

    public HttpClient Client { get; }

    public static Task<WorkingServer> StartAsync(
        BenchContext context, Engine engine, FakeMessagesServer model, Func<WorkerSettings, WorkerSettings> configure, CancellationToken ct) =>
        StartAsync(context, engine, model.BaseUrl, model.ApiKey, configure, ct);

    /// <summary>As above, with the model at <paramref name="modelUrl"/> (e.g. a fake in another process).</summary>
    public static async Task<WorkingServer> StartAsync(
        BenchContext context, Engine engine, Uri modelUrl, string modelKey, Func<WorkerSettings, WorkerSettings> configure, CancellationToken ct)
    {
        var key = "bench-" + Guid.NewGuid().ToString("N");
        // Under /tmp: sandboxes run as per-session uids that must traverse the path.
        var workspaces = Path.Join("/tmp", "hangar-bench-sbx-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = configure(new WorkerSettings
        {
            Models = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(modelKey, modelUrl.ToString()))),
            WorkspacesDirectory = workspaces,
        });
        return await StartAsync(new HangarServerOptions
        {
            Store = await context.NewStoreOptionsAsync(engine, ct),
            BootstrapApiKey = key,
            RunWorkers = true,
            Workers = settings,
        }, workspaces, ct);
    }

    /// <summary>The API alone (<c>hangar serve --no-workers</c>) on <paramref name="store"/>: sessions wait for workers elsewhere.</summary>
    public static Task<WorkingServer> StartApiOnlyAsync(StoreOptions store, CancellationToken ct) =>
        StartAsync(new HangarServerOptions { Store = store, BootstrapApiKey = "bench-" + Guid.NewGuid().ToString("N"), RunWorkers = false }, null, ct);

    private static async Task<WorkingServer> StartAsync(HangarServerOptions options, string? workspaces, CancellationToken ct)
    {
        // A bench measures the server, not its tenant limits.
        var app = await HangarServer.BuildAsync(options with { Port = 0, Limits = Hangar.Server.Http.RequestLimits.Unlimited }, ct);
        await app.StartAsync(ct);
        return new WorkingServer(app, options.BootstrapApiKey!, workspaces);
    }

    /// <summary>
    /// Another API client with its own connections: disposing it closes them, so the server no longer
    /// holds them (what a footprint measurement needs).
    /// </summary>
    public HttpClient NewClient()
    {
        var client = new HttpClient { BaseAddress = ServerAddresses.Of(_app), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("x-api-key", _key);
        client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return client;
    }

    /// <summary>Posts one <c>user.message</c>; returns the Stopwatch ticks at which the POST started.</summary>
    public Task<long> SendMessageAsync(string sessionId, string text, CancellationToken ct) => SendMessageAsync(Client, sessionId, text, ct);

    /// <summary>As above, through <paramref name="client"/>.</summary>
    public static async Task<long> SendMessageAsync(HttpClient client, string sessionId, string text, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["type"] = "user.message",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            }),
        };
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsJsonAsync($"/v1/sessions/{sessionId}/events", body, ct);
        response.EnsureSuccessStatusCode();
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (_workspaces is not null && Directory.Exists(_workspaces))
        {
            Directory.Delete(_workspaces, recursive: true);
        }
    }
}
