using Anthropic;
using Anthropic.Models.Beta.Sessions;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Storage;
using Hangar.Tools;
using Hangar.Vault;

namespace Hangar.Conformance.Tests.Harness.Sandboxed;

/// <summary>
/// A Hangar server (SQLite) with bubblewrap sandboxes, a master key for vaults, loopback egress allowed (so a
/// test HTTP server on 127.0.0.1 is reachable through the sandbox's egress proxy), the test HTTPS servers' CA
/// trusted by that proxy, and small output limits.
/// Needs root and working bwrap, as <see cref="SandboxedHangar"/> does.
/// </summary>
public sealed class SandboxVaultHangar : IAsyncLifetime
{
    public const long MaxOutputFileBytes = 64 * 1024;

    private readonly string _scratch = Path.Join("/tmp", "hangar-sbx-vault-" + Guid.NewGuid().ToString("N")[..8]);

    public RunningHangar Server { get; private set; } = null!;

    public FakeMessagesServer Model { get; private set; } = null!;

    public ModelScripts Scripts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SandboxedHangar.CreateScratch(_scratch);
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Model = await FakeMessagesServer.StartAsync(startup.Token);
        Scripts = new ModelScripts(Model);
        var settings = SandboxedHangar.BubblewrapSettings(Model, _scratch) with
        {
            AllowPrivateEgress = true,
            EgressUpstreamTrustedRoots = [RecordingHttpsServer.Authority],
            OutputLimits = new OutputLimits(MaxFileBytes: MaxOutputFileBytes, MaxSessionBytes: 1 << 20, MaxFiles: 50),
        };
        var cipher = new SecretCipher(MasterKey.Generate());
        Server = await RunningHangar.StartAsync(new StoreOptions(DataDirectory: _scratch), _scratch, startup.Token, settings,
            options => options with { MasterKeys = cipher });
    }

    public AnthropicClient Client() => Server.Client();

    /// <summary>A session of a fresh agent (scripted by <paramref name="script"/>) in a new cloud environment, with these vaults.</summary>
    public async Task<string> SessionAsync(ModelScript script, CancellationToken ct, params string[] vaultIds)
    {
        var client = Client();
        var agent = await client.Beta.Agents.Create(new Anthropic.Models.Beta.Agents.AgentCreateParams
        {
            Name = Arrange.Name("agent"),
            Model = Anthropic.Models.Beta.Agents.BetaManagedAgentsModel.ClaudeSonnet4_6,
            System = script.SystemPrompt,
            Tools = [Turns.Toolset()],
        }, ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams { Agent = agent.ID, EnvironmentID = environment.ID, VaultIds = vaultIds }, ct);
        return session.ID;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Model.DisposeAsync();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}

/// <summary>Bubblewrap sessions with vault credentials and outputs. Alone on the machine, as the other sandboxed tests are.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxVaultHangarCollection : ICollectionFixture<SandboxVaultHangar>
{
    public const string Name = "Hangar server with bubblewrap sandboxes and vaults";
}
