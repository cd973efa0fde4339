using Hangar.Tools;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// An environment's package layer could not be built: which manager, which packages, and why (the
/// manager's own last error lines, a timeout, an unreachable registry or a missing tool).
/// </summary>
public sealed class PackageInstallException(string manager, IReadOnlyList<string> packages, string reason)
    : SandboxProvisioningException($"Installing the environment's {manager} packages ({string.Join(", ", packages)}) failed: {reason}")
{
    public string Manager { get; } = manager;

    public IReadOnlyList<string> Packages { get; } = packages;

    public string Reason { get; } = reason;
}
