namespace Hangar.Tools;

/// <summary>
/// An <c>environment_variable</c> vault credential as a sandbox sees it: <see cref="Name"/> is set to
/// <see cref="Placeholder"/> inside the sandbox, never to <see cref="Value"/>. The host-side egress proxy swaps
/// the placeholder for the value in requests to <see cref="AllowedHosts"/> (null: any host the environment allows),
/// in headers when <see cref="InHeaders"/> and in bodies when <see cref="InBody"/>; everywhere else it goes out as is.
/// </summary>
public sealed record SandboxSecret(
    string Name, string Placeholder, string Value, IReadOnlyList<string>? AllowedHosts, bool InHeaders, bool InBody)
{
    /// <summary>Never the value: records print themselves in logs and assertion messages.</summary>
    public override string ToString() => $"SandboxSecret {{ Name = {Name}, Placeholder = {Placeholder} }}";
}
