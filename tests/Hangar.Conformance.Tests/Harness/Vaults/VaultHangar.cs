using System.Collections.Concurrent;
using Anthropic;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>
/// A working Hangar server (SQLite, local sandbox, fake model) with a test master key and private egress
/// allowed so loopback MCP servers and token endpoints are reachable. Remembers every secret the tests
/// hand it, every session and vault they create and every API response they receive, for the leak sweep.
/// </summary>
public sealed class VaultHangar : IAsyncLifetime
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hangar-vault-e2e-").FullName;

    public RunningHangar Server { get; private set; } = null!;

    public FakeMessagesServer Model { get; private set; } = null!;

    public ModelScripts Scripts { get; private set; } = null!;

    /// <summary>The SQLite data directory (<c>hangar.db</c> and its -wal/-shm).</summary>
    public string DataDirectory => _scratch;

    /// <summary>Where the local sandbox keeps each session's workspace.</summary>
    public string Workspaces => Path.Combine(_scratch, "workspaces");

    public ConcurrentQueue<string> Responses { get; } = new();

    /// <summary>Each secret with a label for messages (the label is not secret).</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new();

    public ConcurrentQueue<(AnthropicClient Client, string SessionId)> Sessions { get; } = new();

    /// <summary>Vaults of the server's main workspace.</summary>
    public ConcurrentQueue<string> Vaults { get; } = new();

    public async Task InitializeAsync()
    {
        ConsoleCapture.Install();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Model = await FakeMessagesServer.StartAsync(startup.Token);
        Scripts = new ModelScripts(Model);
        var workers = WorkingHangar.Settings(Model, Workspaces) with { AllowPrivateEgress = true };
        var cipher = new SecretCipher(MasterKey.Generate());
        Server = await RunningHangar.StartAsync(
            new StoreOptions(DataDirectory: _scratch), _scratch, startup.Token, workers, options => options with { MasterKeys = cipher });
    }

    /// <summary>A fresh random secret, remembered for the sweep.</summary>
    public string Secret(string label)
    {
        var secret = $"{label}-{Guid.NewGuid():N}";
        Secrets[secret] = label;
        return secret;
    }

    /// <summary>The official client (main workspace unless another key is given), its responses recorded.</summary>
    public AnthropicClient Client(string? apiKey = null) =>
        Server.ClientWithKey(apiKey ?? Server.ApiKey, new ResponseRecorder(Responses));

    /// <summary>Plain HTTP for the Hangar extensions the SDK lacks (the audit list), responses recorded.</summary>
    public HttpClient Raw()
    {
        var http = new HttpClient(new ResponseRecorder(Responses) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = Server.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("x-api-key", Server.ApiKey);
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Model.DisposeAsync();
    }
}
