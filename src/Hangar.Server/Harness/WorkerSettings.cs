using Hangar.Harness.Models;
using Hangar.Harness.Tools;
using Hangar.Harness.Workers;

namespace Hangar.Server.Harness;

/// <summary>
/// How this process runs harness workers. Models and sandboxes default to the environment's
/// configuration (<see cref="ModelRoutingOptions.FromEnvironment"/>) and the local, NOT isolated
/// workspace sandbox under the data directory; tests substitute their own.
/// </summary>
public sealed record WorkerSettings
{
    public int Concurrency { get; init; } = 4;

    /// <summary>Defaults as <see cref="HarnessOptions"/> (why: there).</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(1.5);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public int MaxModelAttempts { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Null: <see cref="ModelRouter"/> over <see cref="ModelRoutingOptions.FromEnvironment"/>.</summary>
    public IModelRouter? Models { get; init; }

    /// <summary>Null: <see cref="LocalWorkspaceSandboxProvider"/> in <see cref="WorkspacesDirectory"/>.</summary>
    public ISandboxProvider? Sandboxes { get; init; }

    /// <summary>Where local sandboxes keep session workspaces; null: <c>workspaces</c> in the data directory (or the temp directory with PostgreSQL).</summary>
    public string? WorkspacesDirectory { get; init; }
}
