using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// A real provider over a throwaway data directory (under /tmp, traversable by session uids). The
/// tests need root and working bwrap, as CI has; without them every test fails with the provider's
/// actionable message rather than passing vacuously.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string HostSecretName = "HANGAR_TEST_HOST_SECRET";
    public const string HostSecretValue = "s3cr3t-host-value-7f1c";

    public string DataDirectory { get; } = Path.Join("/tmp", "hangar-sbx-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public BubblewrapSandboxProvider Provider { get; private set; } = null!;

    public static SandboxLimits TestLimits { get; } = new()
    {
        MemoryBytes = 256L << 20,
        MaxProcesses = 128,
        TmpBytes = 64L << 20,
        WorkspaceBytes = 64L << 20,
        MaxFileBytes = 48L << 20,
    };

    public SandboxOptions Options => new() { DataDirectory = DataDirectory, Limits = TestLimits };

    public async Task InitializeAsync()
    {
        // Set before any sandbox starts: escape tests look for it from inside.
        Environment.SetEnvironmentVariable(HostSecretName, HostSecretValue);
        Directory.CreateDirectory(DataDirectory);
        Provider = await BubblewrapSandboxProvider.CreateAsync(Options, NullLogger.Instance, egress: null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Provider.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    public static SandboxRequest Request(string sessionId, JsonObject? config = null) =>
        new("wrk_test", sessionId, config ?? new JsonObject { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray() } });

    public static string NewSessionId() => "sesn_" + Guid.NewGuid().ToString("N")[..16];
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

internal static class Tools
{
    private static int counter;

    public static ToolCall Bash(string command, int? timeoutMs = null)
    {
        var input = new JsonObject { ["command"] = command };
        if (timeoutMs is { } t)
            input["timeout_ms"] = JsonNode.Parse(t.ToString(System.Globalization.CultureInfo.InvariantCulture)); // as parsed from the wire
        return Call("bash", input);
    }

    public static ToolCall Call(string name, JsonObject input) => new(name, input, $"sevt_test{Interlocked.Increment(ref counter)}");

    public static async Task<(string Text, bool IsError)> RunAsync(this ISandbox sandbox, ToolCall call)
    {
        var result = await sandbox.ExecuteAsync(call, CancellationToken.None);
        return (string.Concat(result.Content.Select(b => b?["text"]?.GetValue<string>())), result.IsError);
    }
}
