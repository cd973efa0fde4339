namespace Hangar.Tools;

/// <summary>
/// A sandbox whose <c>/mnt/session/outputs</c> the host can read: the harness turns what the agent left
/// there into Files scoped to the session when a turn ends. Reading never follows a symlink (a link in the
/// outputs is skipped, never resolved against the host) and never reads more than the limits allow.
/// </summary>
public interface ISandboxOutputs
{
    /// <summary>The files under the outputs directory, one at a time (a skipped one carries the reason, no bytes).</summary>
    IEnumerable<SandboxOutput> ReadOutputs(OutputLimits limits);
}

/// <summary>Per-file and per-session byte limits and a cap on the number of files read.</summary>
public sealed record OutputLimits(long MaxFileBytes = 32L << 20, long MaxSessionBytes = 256L << 20, int MaxFiles = 1000);

/// <summary>One output: its path relative to the outputs directory ('/'-separated) and its bytes, or why it was skipped.</summary>
public sealed record SandboxOutput(string Path, byte[]? Bytes, string? Skipped = null);
