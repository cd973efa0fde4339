namespace Hangar.Sandbox.Bubblewrap;

/// <summary>How much bubblewrap sandboxes depend on one host program or kernel feature.</summary>
public enum HostNeed
{
    /// <summary>Sandboxes do not work without it: start-up refuses.</summary>
    Required,

    /// <summary>A feature degrades without it (limits, repository clones, apt packages): start-up warns.</summary>
    Optional,

    /// <summary>Only some environments or settings use it; they fail with their own message when it is absent.</summary>
    OnDemand,
}

/// <summary>Whether a host item was found.</summary>
public enum HostStatus
{
    Ok,
    Missing,

    /// <summary>Not checked because something it depends on is missing (reported on its own line).</summary>
    NotChecked,
}

/// <summary>One host program or kernel feature sandboxes rely on, as found on this host.</summary>
/// <param name="Name">What it is (a program name or a kernel feature).</param>
/// <param name="UsedFor">What in Hangar uses it.</param>
/// <param name="Detail">Where it was found, or why it counts as missing.</param>
/// <param name="Fix">The command or step that installs or enables it.</param>
public sealed record HostRequirement(string Name, HostNeed Need, HostStatus Status, string UsedFor, string Detail, string Fix)
{
    public bool IsMissing => Status == HostStatus.Missing;

    /// <summary>One line for logs and error messages: name, why, what breaks, and the fix.</summary>
    public string Describe() => $"{Name} ({Detail}): needed for {UsedFor}. Fix: {Fix}";
}
