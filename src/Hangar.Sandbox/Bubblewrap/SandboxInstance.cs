using System.Security.Cryptography;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Names one sandbox instance's host resources. A session may have several instances over its life,
/// and for a moment two at once on one host (a worker that lost the session's lease still holds the old
/// one while the new lease holder builds its own), so everything an instance creates and later deletes
/// (cgroup, egress and git sockets) carries a token of its own: an instance never touches another's.
/// </summary>
internal static class SandboxInstance
{
    /// <summary><c>&lt;id&gt;-&lt;8 hex&gt;</c>: unique per call, still a safe file and cgroup name.</summary>
    public static string NewName(string id) => $"{id}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}
