using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Server.Tests;

/// <summary>
/// A real Hangar server on loopback (port 0) over a fresh SQLite data directory, with one API
/// key in each of two workspaces so tests can check that one workspace never sees the other's
/// resources. Share it per test class with <c>IClassFixture&lt;ServerFixture&gt;</c>; derive and
/// override <see cref="CreateStoreOptionsAsync"/> to run the same tests against PostgreSQL.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    /// <summary>Small limits so 413 paths are cheap to reach; still above the 100k-char system prompt.</summary>
    public const long MaxRequestBodyBytes = 512 * 1024;
    public const long MaxFileBytes = 256 * 1024;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hangar-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public WebApplication App => _app ?? throw new InvalidOperationException("The server is not started.");
    public IHangarStore Store => App.Services.GetRequiredService<IHangarStore>();
    public HangarServerOptions Options { get; private set; } = new();

    /// <summary>The server's clock; <see cref="TestClock.Advance"/> moves it for everyone.</summary>
    public TestClock Clock { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The main workspace's client (an <c>x-api-key</c> caller).</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client of a second workspace, which must never see the main one's resources.</summary>
    public HttpClient OtherClient { get; private set; } = null!;

    public string WorkspaceId { get; private set; } = "";
    public string OtherWorkspaceId { get; private set; } = "";

    protected virtual Task<StoreOptions> CreateStoreOptionsAsync(string dataDirectory) =>
        Task.FromResult(new StoreOptions(dataDirectory));

    protected virtual HangarServerOptions Configure(HangarServerOptions options) => options;

    public virtual async Task InitializeAsync()
    {
        var storeOptions = await CreateStoreOptionsAsync(_dataDirectory);
        Options = Configure(new HangarServerOptions
        {
            Port = 0,
            Store = storeOptions,
            MaxRequestBodyBytes = MaxRequestBodyBytes,
            MaxFileBytes = MaxFileBytes,
            Time = Clock,
            // Resource tests pin the API without an agent loop (the harness has its own tests).
            RunWorkers = false,
            // Test classes drive hundreds of requests a minute through one workspace; Limits/ sets its own.
            Limits = Http.RequestLimits.Unlimited,
        });
        _app = await HangarServer.BuildAsync(Options, CancellationToken.None);
        await _app.StartAsync();
        BaseAddress = ServerAddresses.Of(_app);
        (WorkspaceId, var key) = await AddWorkspaceAsync("tests-main");
        (OtherWorkspaceId, var otherKey) = await AddWorkspaceAsync("tests-other");
        Client = CreateClient(key);
        OtherClient = CreateClient(otherKey);
    }

    /// <summary>Creates (or reuses) a workspace and a fresh key for it.</summary>
    public async Task<(string WorkspaceId, string ApiKey)> AddWorkspaceAsync(string name)
    {
        var workspaceId = await Store.Workspaces.EnsureAsync(name, CancellationToken.None);
        var key = ApiKeys.Generate();
        await Store.Workspaces.AddKeyAsync(workspaceId, ApiKeys.Hash(key), CancellationToken.None);
        return (workspaceId, key);
    }

    public HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return client;
    }

    /// <summary>Sends a JSON body and returns the status and parsed body (null when not JSON).</summary>
    public static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, TryParse(text));
    }

    /// <summary>Sends and asserts a 200, returning the JSON object.</summary>
    public async Task<JsonObject> OkAsync(HttpMethod method, string path, string? json = null, HttpClient? client = null)
    {
        var (status, body) = await SendAsync(client ?? Client, method, path, json);
        Assert.True(status == 200, $"{method} {path} returned {status}: {body?.ToJsonString()}");
        return Assert.IsType<JsonObject>(body);
    }

    public static JsonNode? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        OtherClient?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // The store never created it (e.g. PostgreSQL).
        }
    }
}
