namespace Hangar.Server.Harness;

/// <summary>Where workers run built-in tools.</summary>
public enum SandboxKind
{
    /// <summary>Per-session bubblewrap sandboxes (isolated; the default). Refuses to start where bwrap can't run.</summary>
    Bubblewrap,

    /// <summary>A plain per-session directory on the host: NOT isolated. Only when asked for by name.</summary>
    Local,
}
