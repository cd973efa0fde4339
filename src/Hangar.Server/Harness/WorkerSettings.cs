using Hangar.Harness.Mcp;
using Hangar.Harness.Models;
using Hangar.Harness.Workers;
using Hangar.Tools;

namespace Hangar.Server.Harness;

/// <summary>
/// How this process runs harness workers. The command line sets the models from the environment
/// (<see cref="ModelRoutingOptions.FromEnvironment"/>); sandboxes default to bubblewrap under the
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

    /// <summary>Null: no provider (<see cref="ModelRoutingOptions.None"/>; only the built-in scripted model answers).</summary>
    public IModelRouter? Models { get; init; }

    /// <summary>Null: a provider of <see cref="Sandbox"/>'s kind in <see cref="WorkspacesDirectory"/>.</summary>
    public ISandboxProvider? Sandboxes { get; init; }

    /// <summary>MCP server credentials (the vaults); null: MCP servers are called without credentials.</summary>
    public IMcpCredentials? McpCredentials { get; init; }

    /// <summary>Limits on turning <c>/mnt/session/outputs</c> into Files; null: the harness defaults.</summary>
    public Hangar.Tools.OutputLimits? OutputLimits { get; init; }

    /// <summary>
    /// Private ranges and names that sandboxes' egress, web_fetch, MCP connections, token endpoints and git remotes
    /// may reach (never metadata); null: none. The command line fills it from <c>--allow-private-egress</c>.
    /// </summary>
    public Hangar.Tools.Network.PrivateEgressAllowlist? AllowPrivateEgress { get; init; }

    /// <summary>
    /// Roots the egress proxy trusts, besides the host's store, for upstream TLS when it terminates HTTPS to a
    /// credential's host (tests, an operator's private CA); empty: the host's trust store only.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection EgressUpstreamTrustedRoots { get; init; } = [];

    public SandboxKind Sandbox { get; init; } = SandboxKind.Bubblewrap;

    /// <summary>How <c>unrestricted</c> sandboxes reach the network (<c>HANGAR_UNRESTRICTED_NETWORK</c>, read by the command line).</summary>
    public Hangar.Sandbox.Bubblewrap.UnrestrictedNetwork UnrestrictedNetwork { get; init; }

    /// <summary>The operator's opt-in to run sandboxes whose memory is not capped (no usable cgroup); off: such hosts refuse to start.</summary>
    public bool AllowUnlimitedMemory { get; init; }

    /// <summary>See <see cref="HarnessOptions.EagerSandbox"/> (off: sandboxes start at the first tool call).</summary>
    public bool EagerSandbox { get; init; }

    /// <summary>Null: the host-side HTTP fetcher with the private-egress allowlist of these settings.</summary>
    public IWebFetcher? WebFetcher { get; init; }

    /// <summary>Null (no search provider ships with Hangar): web_search answers that it is not configured.</summary>
    public IWebSearchProvider? WebSearch { get; init; }

    /// <summary>Per-sandbox resource limits (bubblewrap); null: the <see cref="Hangar.Sandbox.Bubblewrap.SandboxLimits"/> defaults.</summary>
    public Hangar.Sandbox.Bubblewrap.SandboxLimits? SandboxLimits { get; init; }

    /// <summary>How often the worker host stops sandboxes of archived sessions and removes workspaces of deleted ones.</summary>
    public TimeSpan SandboxSweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where sandboxes keep their state (<c>--state-dir</c>); null: the SQLite data directory, or
    /// <c>/var/lib/hangar</c> (root) / a per-user directory — never the shared temporary directory.
    /// </summary>
    public string? WorkspacesDirectory { get; init; }
}
