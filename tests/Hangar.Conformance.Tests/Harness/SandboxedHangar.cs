using System.Text.Json;
using Anthropic;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Server.Harness;
using Hangar.Storage;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// A Hangar server (SQLite) whose workers run tools in the DEFAULT sandbox, bubblewrap — unlike
/// <see cref="WorkingHangar"/>, which forces the local one. Small limits so fork bombs and memory hogs
/// trip quickly, and a fast sweep so deleted sessions lose their workspace within a second. Needs root and
/// working bwrap (as CI has); without them the fixture fails with the provider's message.
/// </summary>
public sealed class SandboxedHangar : IAsyncLifetime
{
    /// <summary>Set in this (the server's) process before any sandbox starts; no sandbox may see it.</summary>
    public const string HostSecretName = "HANGAR_E2E_HOST_SECRET";
    public const string HostSecretValue = "e2e-host-secret-4b9d";

    // Under /tmp and 0755: the per-session uids must traverse every directory above their workspace.
    private readonly string _scratch = Path.Join("/tmp", "hangar-sbx-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    public RunningHangar Server { get; private set; } = null!;

    public FakeMessagesServer Model { get; private set; } = null!;

    public ModelScripts Scripts { get; private set; } = null!;

    /// <summary>Where the bubblewrap provider keeps sessions: <c>&lt;data&gt;/sandboxes/&lt;session id&gt;</c>.</summary>
    public string SandboxDirectory(string sessionId) => Path.Join(_scratch, "sandboxes", sessionId);

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(HostSecretName, HostSecretValue);
        CreateScratch(_scratch);
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Model = await FakeMessagesServer.StartAsync(startup.Token);
        Scripts = new ModelScripts(Model);
        var settings = BubblewrapSettings(Model, _scratch) with { SandboxSweepInterval = TimeSpan.FromMilliseconds(200) };
        Server = await RunningHangar.StartAsync(new StoreOptions(DataDirectory: _scratch), _scratch, startup.Token, settings);
    }

    /// <summary>A scratch root the sandbox uid can traverse (bubblewrap binds session directories under it).</summary>
    internal static void CreateScratch(string scratch)
    {
        Directory.CreateDirectory(scratch);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(scratch, (UnixFileMode)Convert.ToInt32("755", 8));
        }
    }

    /// <summary>Workers with real bubblewrap sandboxes under small limits, so tests can hit them.</summary>
    internal static WorkerSettings BubblewrapSettings(FakeMessagesServer model, string scratch) => WorkingHangar.Settings(model, scratch) with
    {
        Sandboxes = null,
        Sandbox = SandboxKind.Bubblewrap,
        SandboxLimits = new SandboxLimits { MemoryBytes = 256L << 20, MaxProcesses = 128, TmpBytes = 64L << 20, WorkspaceBytes = 64L << 20 },
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Model.DisposeAsync();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    /// <summary>
    /// One turn in a new session: the model calls the given tools in order, one reply each, then says
    /// "done". Returns the session and its tool results.
    /// </summary>
    public async Task<(string SessionId, List<BetaManagedAgentsAgentToolResultEvent> Results)> RunToolsAsync(
        CancellationToken ct, params FakeReply[] calls) => await RunToolsAsync(ct, null, calls);

    /// <summary>As above, the session made by <paramref name="create"/> (e.g. with resources); it returns the session id.</summary>
    public async Task<(string SessionId, List<BetaManagedAgentsAgentToolResultEvent> Results)> RunToolsAsync(
        CancellationToken ct, Func<AnthropicClient, ModelScript, Task<string>>? create, params FakeReply[] calls)
    {
        var client = Server.Client();
        var script = Scripts.New().Then([.. calls, FakeReply.Text("done")]);
        var sessionId = create is null ? (await client.SessionAsync(script, ct)).ID : await create(client, script);
        await client.SendAsync(sessionId, ct, Turns.Message("run the tools"));
        var events = await client.WaitForIdleAsync(sessionId, ct);
        Turns.AssertConsistent(events);
        Assert.Equal(calls.Length, Turns.All<BetaManagedAgentsAgentToolUseEvent>(events).Count);
        return (sessionId, Turns.All<BetaManagedAgentsAgentToolResultEvent>(events));
    }

    public static FakeReply Bash(string command, int? timeoutMs = null) =>
        timeoutMs is { } t ? FakeReply.ToolUse("bash", new { command, timeout_ms = t }) : FakeReply.ToolUse("bash", new { command });

    /// <summary>The text blocks of a tool result, joined.</summary>
    public static string Text(BetaManagedAgentsAgentToolResultEvent result) =>
        string.Concat((result.Content ?? []).Select(c =>
            c.Json.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : ""));

    public AnthropicClient Client() => Server.Client();
}

/// <summary>Sessions in bubblewrap sandboxes. Alone on the machine: limits and timings need the cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxedHangarCollection : ICollectionFixture<SandboxedHangar>
{
    public const string Name = "Hangar server with bubblewrap sandboxes";
}
