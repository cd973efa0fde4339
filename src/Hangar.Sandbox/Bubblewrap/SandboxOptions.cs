namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Where sandboxes keep their state and how much they may use. Defaults are per sandbox (one per
/// session); environments may override them later. Every path under <see cref="DataDirectory"/> must be
/// traversable (o+x) by the unprivileged session uids, because bwrap opens its bind sources as them.
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>Root of server data; sandboxes live in <c>&lt;data&gt;/sandboxes/&lt;session id&gt;</c>.</summary>
    public required string DataDirectory { get; init; }

    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>
    /// How <c>unrestricted</c> sandboxes reach the network. <see cref="UnrestrictedNetwork.Proxy"/> (default): the
    /// egress proxy in allow-all-public mode. <see cref="UnrestrictedNetwork.UserMode"/>: slirp4netns, an operator
    /// opt-in that also lets sandboxes reach the host's non-loopback addresses (docs/sandbox.md).
    /// </summary>
    public UnrestrictedNetwork UnrestrictedNetwork { get; init; } = UnrestrictedNetwork.Proxy;

    /// <summary>User-mode networking for <c>unrestricted</c> sandboxes (usermode opt-in); when missing they get no network (with a warning).</summary>
    public string Slirp4netnsPath { get; init; } = "/usr/bin/slirp4netns";

    /// <summary>Host uids handed to sessions start here (sandbox uid 1000 maps to one of them).</summary>
    public int FirstSessionUid { get; init; } = 200_000;

    /// <summary>How many distinct session uids exist; sessions hash into this range.</summary>
    public int SessionUidCount { get; init; } = 1_000_000;

    public SandboxLimits Limits { get; init; } = new();

    /// <summary>
    /// The operator's opt-in (<c>--allow-unlimited-memory</c>) to start sandboxes when memory cannot be capped (no
    /// usable cgroup, or <see cref="SandboxLimits.MemoryBytes"/> ≤ 0). Off: the provider refuses to start and says why.
    /// </summary>
    public bool AllowUnlimitedMemory { get; init; }

    /// <summary>Private ranges and names repository remotes and layer builds may reach (the operator's allowlist; none by default).</summary>
    public Hangar.Tools.Network.PrivateEgressAllowlist AllowPrivateEgress { get; init; } = Hangar.Tools.Network.PrivateEgressAllowlist.None;

    /// <summary>The largest a package layer may grow; a build past it fails with a package install error.</summary>
    public long LayerBytes { get; init; } = 4L << 30;

    /// <summary>
    /// How long a package layer no sandbox uses stays on disk (counted from its build or the last sandbox that used
    /// it); the collector at start-up and after each build removes older ones, never one a running sandbox holds.
    /// </summary>
    public TimeSpan LayerRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Names the store whose sessions these are (written to each session directory); the sweep of deleted
    /// sessions only touches directories with this mark. Null: no mark, and every directory is considered.
    /// </summary>
    public string? Owner { get; init; }
}

/// <summary>Resource ceilings of one sandbox (its shell, everything it starts, and its file-tool runner).</summary>
public sealed record SandboxLimits
{
    /// <summary>RAM (and RAM+swap) of the whole sandbox, including its /tmp tmpfs; OOM kills inside it.</summary>
    public long MemoryBytes { get; init; } = 1L << 30;

    /// <summary>Tasks (processes and threads) in the sandbox; a fork bomb hits this and the sandbox is stopped.</summary>
    public int MaxProcesses { get; init; } = 512;

    /// <summary>CPU share in cores (cfs quota over a 100 ms period).</summary>
    public double Cpus { get; init; } = 1.0;

    /// <summary>Size of the sandbox's /tmp (a tmpfs, charged to memory).</summary>
    public long TmpBytes { get; init; } = 256L << 20;

    /// <summary>
    /// The hard disk quota of everything a sandbox writes on the host (workspace, outputs, cloned repositories):
    /// a sparse loop-mounted ext4 image per session (<see cref="SessionDisks"/>), so writes fail with ENOSPC at
    /// the cap. ≤ 0 turns it off (then <see cref="WorkspaceBytes"/> is checked instead). Off by default until
    /// it holds across worker processes handing a session over (a crash test saw the new owner lose its
    /// workspace); operators opt in with <c>--sandbox-disk-quota</c> (docs/sandbox.md).
    /// </summary>
    public long DiskBytes { get; init; }

    /// <summary>
    /// The fallback when the host cannot loop-mount a disk per session (not root, no loop devices): the
    /// workspace's size, measured after each command and reported as an error once over (not a hard cap).
    /// </summary>
    public long WorkspaceBytes { get; init; } = 2L << 30;

    /// <summary>Largest single file a process may write (RLIMIT_FSIZE; SIGXFSZ beyond).</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Open files per process (RLIMIT_NOFILE).</summary>
    public int MaxOpenFiles { get; init; } = 4096;
}
