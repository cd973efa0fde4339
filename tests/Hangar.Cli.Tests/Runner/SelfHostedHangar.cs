using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests.Runner;

/// <summary>
/// <c>hangar serve</c> (API and harness, SQLite) whose model is the fake Messages server in this process, for
/// self-hosted sessions: their built-in tools run on <c>hangar runner</c> processes the tests start, each
/// with bubblewrap sandboxes under one shared root (one host, as two runners on one machine would be).
/// </summary>
public sealed class SelfHostedHangar : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string key = "hgr_runner_" + Guid.NewGuid().ToString("N");
    private readonly TempDirectory data = new();
    private RunningServer? server;

    public FakeMessagesServer Model { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The server URL and an API key, for client commands (<c>hangar work …</c>).</summary>
    public string[] ClientArgs => ["--url", server!.Url.ToString(), "--api-key", key];

    public TempDirectory Workspaces { get; } = new();

    public async Task InitializeAsync()
    {
        Model = await FakeMessagesServer.StartAsync();
        server = await RunningServer.StartAsync(["--data", data.Path], key, bootstrapKey: key, workers: true, env: new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = Model.BaseUrl.ToString(),
            ["ANTHROPIC_API_KEY"] = Model.ApiKey,
        });
        Http = server.Client(key);
    }

    /// <summary>A self_hosted environment, an environment key for it (made by <c>hangar env-keys create</c>), and a session in it.</summary>
    public async Task<(string Environment, string Key, string Session)> CreateSessionAsync(string name)
    {
        var agent = await Http.PostAsync("/v1/agents", new JsonObject
        {
            ["name"] = name,
            ["model"] = "claude-sonnet-4-5",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        });
        var environment = (string)(await Http.PostAsync("/v1/environments", new JsonObject
        {
            ["name"] = name + "-" + Guid.NewGuid().ToString("N")[..8],
            ["config"] = new JsonObject { ["type"] = "self_hosted" },
        }))["id"]!;
        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["env-keys", "create", environment, "--data", data.Path]);
        Assert.True(exit == 0, stderr);
        var session = await Http.PostAsync("/v1/sessions", new JsonObject { ["agent"] = agent["id"]!.DeepClone(), ["environment_id"] = environment });
        return (environment, stdout.Trim(), (string)session["id"]!);
    }

    /// <summary>Starts <c>hangar runner</c> and waits until it serves; <paramref name="leaseTtl"/> seconds per heartbeat.</summary>
    public async Task<HangarProcess> StartRunnerAsync(string environment, string environmentKey, int leaseTtl = 10, string maxIdle = "60s")
    {
        var runner = HangarProcess.Start(
            ["runner", "--environment", environment, "--key", environmentKey, "--api-url", server!.Url.ToString(),
             "--lease-ttl", $"{leaseTtl}", "--max-idle", maxIdle, "--data", Workspaces.Path]);
        await runner.WaitForOutputAsync(@"Hangar runner \S+ serving", StartTimeout);
        return runner;
    }

    /// <summary>A file in the session's workspace on this host.</summary>
    public string WorkspaceFile(string session, string name) => Path.Combine(Workspaces.Path, "sandboxes", session, "workspace", name);

    public Task SendAsync(string session, string text) => Http.PostAsync($"/v1/sessions/{session}/events", Api.UserMessages(text));

    /// <summary>The session's events once its status is idle with an end_turn (or the deadline passes: the test fails).</summary>
    public async Task<List<JsonObject>> WaitForEndTurnAsync(string session, TimeSpan timeout, Func<string> transcripts)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<JsonObject> events = [];
        while (DateTime.UtcNow < deadline)
        {
            events = [.. (await Http.GetJsonAsync($"/v1/sessions/{session}/events?limit=1000"))["data"]!.AsArray().OfType<JsonObject>()];
            if (events.LastOrDefault() is { } last && (string?)last["type"] == "session.status_idle")
            {
                return events;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException(
            $"{session} did not go idle: {string.Join(", ", events.Select(e => (string?)e["type"]))}\n{transcripts()}");
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        await Model.DisposeAsync();
        Http?.Dispose();
        data.Dispose();
        Workspaces.Dispose();
    }
}
