using Hangar.Harness.Mcp;
using Hangar.Harness.Models;
using Hangar.Harness.Workers;
using Hangar.Tools;

namespace Hangar.Server.Harness;

/// <summary>
/// How this process runs harness workers. Models default to the environment's configuration
/// (<see cref="ModelRoutingOptions.FromEnvironment"/>) and sandboxes to bubblewrap under the
/// data directory; tests may substitute their own.
/// </summary>
public sealed record WorkerSettings
{
    public int Concurrency { get; init; } = HarnessOptions.DefaultConcurrency;

    /// <summary>Sessions above <see cref="Concurrency"/> for dead workers' interrupted turns only; null: <see cref="HarnessOptions.TakeoverHeadroom"/>'s default (why: there).</summary>
    public int? TakeoverHeadroom { get; init; }

    /// <summary>Defaults as <see cref="HarnessOptions"/> (why: there).</summary>
    public TimeSpan LeaseTtl { get; init; } = HarnessOptions.DefaultLeaseTtl;

    public TimeSpan PollInterval { get; init; } = HarnessOptions.DefaultPollInterval;

    public int MaxModelAttempts { get; init; } = HarnessOptions.DefaultMaxModelAttempts;

    public TimeSpan RetryBaseDelay { get; init; } = HarnessOptions.DefaultRetryBaseDelay;

    public TimeSpan RetryMaxDelay { get; init; } = HarnessOptions.DefaultRetryMaxDelay;

    /// <summary>See <see cref="HarnessOptions.CompactionThreshold"/>; tests lower it to compact small sessions.</summary>
    public double CompactionThreshold { get; init; } = HarnessOptions.DefaultCompactionThreshold;

    /// <summary>Null: <see cref="ModelRouter"/> over <see cref="ModelRoutingOptions.FromEnvironment"/>.</summary>
    public IModelRouter? Models { get; init; }

    /// <summary>Null: a provider of <see cref="Sandbox"/>'s kind in <see cref="WorkspacesDirectory"/>.</summary>
    public ISandboxProvider? Sandboxes { get; init; }

    /// <summary>MCP server credentials (the vaults); null: MCP servers are called without credentials.</summary>
    public IMcpCredentials? McpCredentials { get; init; }

    /// <summary>Host-side MCP connections and git remotes of repository resources may reach private addresses; null: <c>HANGAR_ALLOW_PRIVATE_EGRESS</c>.</summary>
    public bool? AllowPrivateEgress { get; init; }

    public SandboxKind Sandbox { get; init; } = SandboxKind.Bubblewrap;

    /// <summary>See <see cref="HarnessOptions.EagerSandbox"/> (off: sandboxes start at the first tool call).</summary>
    public bool EagerSandbox { get; init; }

    /// <summary>Null: the host-side HTTP fetcher with <c>HANGAR_ALLOW_PRIVATE_EGRESS</c> from the environment.</summary>
    public IWebFetcher? WebFetcher { get; init; }

    /// <summary>Null (no search provider ships with Hangar): web_search answers that it is not configured.</summary>
    public IWebSearchProvider? WebSearch { get; init; }

    /// <summary>Per-sandbox resource limits (bubblewrap); null: the <see cref="Hangar.Sandbox.Bubblewrap.SandboxLimits"/> defaults.</summary>
    public Hangar.Sandbox.Bubblewrap.SandboxLimits? SandboxLimits { get; init; }

    /// <summary>How often the worker host stops sandboxes of archived sessions and removes workspaces of deleted ones.</summary>
    public TimeSpan SandboxSweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where sandboxes keep session workspaces; null: the data directory (or a <c>hangar</c> folder in the temp directory with PostgreSQL).</summary>
    public string? WorkspacesDirectory { get; init; }
}
