using System.Globalization;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// cgroup v2 with a delegated subtree (systemd <c>Delegate=yes</c>, or root): sandboxes live under
/// <c>&lt;self&gt;/hangar-sandbox/&lt;name&gt;</c> with memory.max, memory.swap.max=0, pids.max and cpu.max.
/// Not exercised on the hybrid-cgroup CI machines; when the subtree cannot be set up the provider
/// runs with rlimits only and says so.
/// </summary>
internal sealed class CgroupV2Host(string root) : CgroupHost
{
    public override string Description => $"cgroup v2 ({root})";
    public override bool EnforcesLimits => true;

    public static CgroupV2Host? TryCreate()
    {
        var self = File.ReadAllLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        if (self is null)
            return null;
        var root = Path.Join("/sys/fs/cgroup", self, "hangar-sandbox");
        try
        {
            Directory.CreateDirectory(root);
            // Controllers must be enabled in every parent's subtree_control. This fails when our own
            // group still holds processes ("no internal processes"); the service should then run in a leaf.
            Write(Path.Join(Path.GetDirectoryName(root)!, "cgroup.subtree_control"), "+memory +pids +cpu");
            Write(Path.Join(root, "cgroup.subtree_control"), "+memory +pids +cpu");
            return new CgroupV2Host(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override ISandboxCgroup Create(string name, SandboxLimits limits)
    {
        var group = Path.Join(root, name);
        Directory.CreateDirectory(group);
        // ≤ 0 is the operator's explicit no-limit opt-in (SandboxOptions.AllowUnlimitedMemory).
        Write(Path.Join(group, "memory.max"), limits.MemoryBytes > 0 ? limits.MemoryBytes.ToString(CultureInfo.InvariantCulture) : "max");
        Write(Path.Join(group, "memory.swap.max"), "0");
        Write(Path.Join(group, "pids.max"), limits.MaxProcesses.ToString(CultureInfo.InvariantCulture));
        Write(Path.Join(group, "cpu.max"), $"{(long)(limits.Cpus * 100_000)} 100000");
        return new Group(group);
    }

    private sealed class Group(string group) : ISandboxCgroup
    {
        public IReadOnlyList<string> ProcsFiles { get; } = [Path.Join(group, "cgroup.procs")];

        public LimitHits ReadHits() => new(
            ReadKey(Path.Join(group, "memory.events"), "oom_kill"),
            ReadKey(Path.Join(group, "pids.events"), "max"));

        public void KillAll()
        {
            try
            {
                Write(Path.Join(group, "cgroup.kill"), "1");
            }
            catch (IOException)
            {
                KillPids(Path.Join(group, "cgroup.procs"));
            }
        }

        public void Delete() => RemoveWhenEmpty(group);
    }
}
