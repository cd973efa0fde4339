namespace Hangar.Sandbox.Bubblewrap;

/// <summary>Counters that say a sandbox ran into its limits (monotonic; compare before/after).</summary>
internal sealed record LimitHits(long OomKills, long ForksRefused)
{
    public static readonly LimitHits Zero = new(0, 0);
}

/// <summary>
/// One sandbox's control group: the launcher writes its own pid into <see cref="ProcsFiles"/> before it
/// execs bwrap, so the sandbox and all its descendants are accounted and capped together.
/// </summary>
internal interface ISandboxCgroup
{
    IReadOnlyList<string> ProcsFiles { get; }

    LimitHits ReadHits();

    /// <summary>SIGKILLs every process still in the group (belt and braces after killing bwrap).</summary>
    void KillAll();

    /// <summary>Removes the group once it is empty (best effort).</summary>
    void Delete();
}

/// <summary>Which cgroup flavour this host offers sandboxes; chosen once at provider start.</summary>
internal abstract class CgroupHost
{
    public abstract string Description { get; }

    /// <summary>False when no limits beyond rlimits and tmpfs sizes can be enforced (degraded).</summary>
    public abstract bool EnforcesLimits { get; }

    public abstract ISandboxCgroup Create(string name, SandboxLimits limits);

    public static CgroupHost Detect()
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo");
        var rootIsV2 = mounts.Any(l => l.Split(' ') is var f && f.Length > 4 && f[4] == "/sys/fs/cgroup" && l.Contains(" - cgroup2 ", StringComparison.Ordinal));
        if (rootIsV2)
            return CgroupV2Host.TryCreate() ?? (CgroupHost)new NoCgroupHost("cgroup v2 without a writable delegated subtree with memory, pids and cpu");
        return CgroupV1Host.TryCreate() ?? (CgroupHost)new NoCgroupHost("no usable cgroup v1 memory/pids/cpu controllers");
    }

    internal static void Write(string file, string value) => File.WriteAllText(file, value);

    internal static long ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value))
                    return value;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    internal static void KillPids(string procsFile)
    {
        // A fork bomb may add processes while we kill: repeat until the list stays empty.
        for (var round = 0; round < 50; round++)
        {
            string[] pids;
            try
            {
                pids = File.ReadAllLines(procsFile);
            }
            catch (IOException)
            {
                return;
            }
            if (pids.Length == 0)
                return;
            foreach (var pid in pids)
                if (int.TryParse(pid, out var id))
                    _ = Native.Kill(id, 9);
            Thread.Sleep(10);
        }
    }

    internal static void RemoveWhenEmpty(string directory)
    {
        for (var attempt = 0; attempt < 20 && Directory.Exists(directory); attempt++)
        {
            try
            {
                Directory.Delete(directory);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50); // tasks still exiting
            }
        }
    }
}

/// <summary>No cgroup control: only rlimits and tmpfs sizes limit the sandbox.</summary>
internal sealed class NoCgroupHost(string reason) : CgroupHost
{
    public override string Description => $"none ({reason}); only rlimits and tmpfs sizes apply";
    public override bool EnforcesLimits => false;
    public override ISandboxCgroup Create(string name, SandboxLimits limits) => new NoCgroup();

    private sealed class NoCgroup : ISandboxCgroup
    {
        public IReadOnlyList<string> ProcsFiles => [];
        public LimitHits ReadHits() => LimitHits.Zero;
        public void KillAll() { }
        public void Delete() { }
    }
}
