using System.Net.Http.Headers;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Tools;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Hangar.Vault;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Interop.Tests.Hosting;

/// <summary>
/// A real Hangar (SQLite store, harness workers, local workspace sandbox) on a loopback port, its
/// model a scripted fake, and the TypeScript flows built once: what every interop test runs against.
/// </summary>
public sealed class InteropHangar : IAsyncLifetime
{
    private WebApplication? _app;
    private string? _scratch;

    public Uri BaseUrl { get; private set; } = null!;

    public string ApiKey { get; } = ApiKeys.Generate();

    public FakeMessagesServer Model { get; private set; } = null!;

    /// <summary>Per-test replies on the shared fake, told apart by a tag in the agent's system prompt.</summary>
    public ModelScripts Scripts { get; private set; } = null!;

    public NodeFlows Flows { get; private set; } = null!;

    /// <summary>The server's store, for what only an operator does (minting environment keys).</summary>
    public IHangarStore Store => _app!.Services.GetRequiredService<IHangarStore>();

    public string Scratch => _scratch!;

    public async Task InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = startup.Token;
        // The flows are built first: if node is missing, say so before anything else starts.
        Flows = await NodeFlows.PrepareAsync(ct);
        _scratch = Directory.CreateTempSubdirectory("hangar-interop-").FullName;
        var workspaces = Path.Combine(_scratch, "workspaces");
        Model = await FakeMessagesServer.StartAsync(ct);
        Scripts = new ModelScripts(Model);
        var options = new HangarServerOptions
        {
            Port = 0,
            ListenAddress = "127.0.0.1",
            Store = new StoreOptions(DataDirectory: _scratch),
            BootstrapApiKey = ApiKey,
            // Credentials need a master key to be stored (as an operator would set HANGAR_MASTER_KEY).
            MasterKeys = new SecretCipher(MasterKey.Generate()),
            RunWorkers = true,
            // The interop suites drive many requests a minute through one workspace.
            Limits = Hangar.Server.Http.RequestLimits.Unlimited,
            Workers = new WorkerSettings
            {
                Models = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(Model.ApiKey, Model.BaseUrl.ToString()))),
                Concurrency = 2,
                LeaseTtl = TimeSpan.FromSeconds(5),
                PollInterval = TimeSpan.FromMilliseconds(100),
                Sandboxes = new LocalWorkspaceSandboxProvider(workspaces, NullLogger<LocalWorkspaceSandboxProvider>.Instance),
                WorkspacesDirectory = workspaces,
            },
        };
        _app = await HangarServer.BuildAsync(options, ct);
        await _app.StartAsync(ct);
        BaseUrl = ServerAddresses.Of(_app);
    }

    /// <summary>Plain HTTP with the API key: to read the session log the SDK flow left behind.</summary>
    public HttpClient Raw()
    {
        var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    }

    /// <summary>Runs one TypeScript flow against this server with the API key in its environment.</summary>
    public Task<FlowResult> RunAsync(string flow, IReadOnlyDictionary<string, string>? env, CancellationToken ct)
    {
        var variables = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["ANTHROPIC_BASE_URL"] = BaseUrl.ToString().TrimEnd('/'),
            ["ANTHROPIC_API_KEY"] = ApiKey,
        };
        return Flows.RunAsync(flow, variables, ct);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
        try
        {
            if (_scratch is not null)
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }
        catch (IOException)
        {
            // SQLite may hold a handle a moment longer; a leftover temp directory is harmless.
        }
    }
}

/// <summary>One Hangar for all interop tests, one test at a time (node and the server share 2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InteropCollection : ICollectionFixture<InteropHangar>
{
    public const string Name = "Hangar with the TypeScript SDK";
}
