using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Workers;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Harness.Tests.Turns;

/// <summary>
/// A real Hangar server (loopback HTTP, real store, workers on) whose models are served by the
/// fake Anthropic Messages server through the Anthropic provider, with the local workspace
/// sandbox. Can be stopped and started again on the same store to test restarts.
/// </summary>
public sealed class HarnessHost : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hangar-harness-" + Guid.NewGuid().ToString("N"));
    private readonly string _apiKey = ApiKeys.Generate();
    private WebApplication? _app;

    private HarnessHost(FakeMessagesServer model, StoreOptions store, Func<WorkerSettings, WorkerSettings> configure)
    {
        Model = model;
        Store = store with { DataDirectory = store.ConnectionString is null ? _dataDirectory : null };
        Configure = configure;
    }

    public FakeMessagesServer Model { get; }

    public StoreOptions Store { get; }

    public Func<WorkerSettings, WorkerSettings> Configure { get; }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The running server's worker pool (its owner tags the <c>Hangar.Harness</c> metrics).</summary>
    public WorkerPool Pool => _app!.Services.GetRequiredService<Hangar.Server.Harness.HarnessHost>().Pool;

    public static async Task<HarnessHost> StartAsync(StoreOptions? store = null, Func<WorkerSettings, WorkerSettings>? configure = null)
    {
        var host = new HarnessHost(await FakeMessagesServer.StartAsync(), store ?? new StoreOptions(), configure ?? (s => s));
        await host.StartServerAsync();
        return host;
    }

    public async Task StartServerAsync()
    {
        var settings = Configure(new WorkerSettings
        {
            Models = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(Model.ApiKey, Model.BaseUrl.ToString()))),
            LeaseTtl = TimeSpan.FromSeconds(2),
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxModelAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            WorkspacesDirectory = Path.Combine(_dataDirectory, "workspaces"),
        });
        _app = await HangarServer.BuildAsync(new HangarServerOptions { Port = 0, Store = Store, BootstrapApiKey = _apiKey, Workers = settings, Limits = Hangar.Server.Http.RequestLimits.Unlimited }, CancellationToken.None);
        await _app.StartAsync();
        Client?.Dispose();
        Client = new HttpClient { BaseAddress = ServerAddresses.Of(_app), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("x-api-key", _apiKey);
    }

    /// <summary>A graceful stop: workers cancel their steps and release their leases.</summary>
    public async Task StopServerAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        using var response = await Client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    public async Task<JsonObject> GetAsync(string path) => (await Client.GetFromJsonAsync<JsonObject>(path))!;

    /// <summary>Creates an agent (model <c>claude-test</c>) with these tools, an environment (default config <c>{"type":"cloud"}</c>) and a session.</summary>
    public async Task<string> CreateSessionAsync(JsonArray? tools = null, JsonObject? environmentConfig = null, JsonArray? mcpServers = null)
    {
        var agent = await PostAsync("/v1/agents", new JsonObject
        {
            ["name"] = "harness-test",
            ["model"] = "claude-test",
            ["system"] = "You are a test agent.",
            ["tools"] = tools ?? new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
            ["mcp_servers"] = mcpServers ?? [],
        });
        var environment = await PostAsync("/v1/environments", new JsonObject
        {
            ["name"] = "env-" + Guid.NewGuid().ToString("N"),
            ["config"] = environmentConfig ?? new JsonObject { ["type"] = "cloud" },
        });
        var session = await PostAsync("/v1/sessions", new JsonObject { ["agent"] = agent["id"]!.DeepClone(), ["environment_id"] = environment["id"]!.DeepClone() });
        return (string)session["id"]!;
    }

    public Task<JsonObject> SendAsync(string sessionId, params JsonObject[] events) =>
        PostAsync($"/v1/sessions/{sessionId}/events", new JsonObject { ["events"] = new JsonArray([.. events]) });

    public Task<JsonObject> SendTextAsync(string sessionId, string text) => SendAsync(sessionId, Events.Message(text));

    public async Task<List<JsonObject>> EventsAsync(string sessionId)
    {
        var page = await GetAsync($"/v1/sessions/{sessionId}/events?limit=1000");
        return [.. ((JsonArray)page["data"]!).Cast<JsonObject>()];
    }

    /// <summary>Polls the log until <paramref name="done"/> holds; returns the events.</summary>
    public async Task<List<JsonObject>> WaitForAsync(string sessionId, Func<List<JsonObject>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            List<JsonObject> events;
            try
            {
                events = await EventsAsync(sessionId);
            }
            catch (HttpRequestException e) when ((int?)e.StatusCode == 529 && DateTime.UtcNow < deadline)
            {
                // The database is briefly away (tests of outages): retry as an SDK would.
                await Task.Delay(50);
                continue;
            }
            if (done(events))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out; the log is: {string.Join(", ", events.Select(e => (string?)e["type"]))}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the number of <c>session.status_idle</c> events reaches <paramref name="count"/>.</summary>
    public Task<List<JsonObject>> WaitForIdleAsync(string sessionId, int count = 1, TimeSpan? timeout = null) =>
        WaitForAsync(sessionId, events => events.Count(e => Events.TypeOf(e) == "session.status_idle") >= count, timeout);

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        Client?.Dispose();
        await Model.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

internal static class Events
{
    public static JsonObject Message(string text) => new()
    {
        ["type"] = "user.message",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    public static string? TypeOf(JsonObject e) => (string?)e["type"];

    public static List<string> Types(IEnumerable<JsonObject> events) => [.. events.Select(e => TypeOf(e)!)];

    public static JsonObject Single(IEnumerable<JsonObject> events, string type) => Assert.Single(events, e => TypeOf(e) == type);

    public static string? StopReason(JsonObject idle) => (string?)idle["stop_reason"]?["type"];
}
