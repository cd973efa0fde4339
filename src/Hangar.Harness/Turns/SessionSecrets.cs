using Hangar.Tools;

namespace Hangar.Harness.Turns;

/// <summary>
/// Where a sandbox's <c>environment_variable</c> credentials come from: the session's vaults (Hangar.Vault).
/// Read each time a sandbox starts, so a rotated credential reaches the session's next sandbox.
/// </summary>
public interface ISandboxSecrets
{
    /// <summary>
    /// The active <c>environment_variable</c> credentials of <paramref name="vaultIds"/> (the first vault wins per
    /// variable name), each with a placeholder that is stable for the session and credential. Throws
    /// <see cref="SandboxProvisioningException"/> when a credential exists but cannot be opened.
    /// </summary>
    Task<IReadOnlyList<SandboxSecret>> ForSessionAsync(string workspaceId, string sessionId, IReadOnlyList<string> vaultIds, CancellationToken ct);
}
