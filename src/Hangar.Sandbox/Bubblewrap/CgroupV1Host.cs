using System.Globalization;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// cgroup v1 (hybrid hosts like the Firecracker VMs): per sandbox a group under the server's own group
/// in each of memory, pids and cpu (<c>…/&lt;self&gt;/hangar-sandbox/&lt;name&gt;</c>).
/// </summary>
internal sealed class CgroupV1Host : CgroupHost
{
    private static readonly string[] Controllers = ["memory", "pids", "cpu"];
    private readonly Dictionary<string, string> bases;

    private CgroupV1Host(Dictionary<string, string> bases) => this.bases = bases;

    public override string Description => "cgroup v1 (" + string.Join(", ", bases.Values) + ")";
    public override bool EnforcesLimits => true;

    public static CgroupV1Host? TryCreate()
    {
        var bases = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            foreach (var controller in parts[1].Split(','))
                if (Controllers.Contains(controller))
                    bases[controller] = Path.Join("/sys/fs/cgroup", controller, parts[2], "hangar-sandbox");
        }
        if (Controllers.Any(c => !bases.ContainsKey(c) || !Directory.Exists(Path.Join("/sys/fs/cgroup", c))))
            return null;
        try
        {
            foreach (var directory in bases.Values)
                Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return new CgroupV1Host(bases);
    }

    public override ISandboxCgroup Create(string name, SandboxLimits limits)
    {
        var memory = Path.Join(bases["memory"], name);
        var pids = Path.Join(bases["pids"], name);
        var cpu = Path.Join(bases["cpu"], name);
        foreach (var directory in new[] { memory, pids, cpu })
            Directory.CreateDirectory(directory);
        // ≤ 0 is the operator's explicit no-limit opt-in (SandboxOptions.AllowUnlimitedMemory); -1 is v1's "none".
        var memoryLimit = limits.MemoryBytes > 0 ? limits.MemoryBytes.ToString(CultureInfo.InvariantCulture) : "-1";
        Write(Path.Join(memory, "memory.limit_in_bytes"), memoryLimit);
        try
        {
            // Absent without swap accounting; then there is no swap to escape into anyway.
            Write(Path.Join(memory, "memory.memsw.limit_in_bytes"), memoryLimit);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        Write(Path.Join(pids, "pids.max"), limits.MaxProcesses.ToString(CultureInfo.InvariantCulture));
        Write(Path.Join(cpu, "cpu.cfs_period_us"), "100000");
        Write(Path.Join(cpu, "cpu.cfs_quota_us"), ((long)(limits.Cpus * 100_000)).ToString(CultureInfo.InvariantCulture));
        return new Group(memory, pids, cpu);
    }

    private sealed class Group(string memory, string pids, string cpu) : ISandboxCgroup
    {
        public IReadOnlyList<string> ProcsFiles { get; } =
            [Path.Join(memory, "cgroup.procs"), Path.Join(pids, "cgroup.procs"), Path.Join(cpu, "cgroup.procs")];

        public LimitHits ReadHits() => new(
            ReadKey(Path.Join(memory, "memory.oom_control"), "oom_kill"),
            ReadKey(Path.Join(pids, "pids.events"), "max"));

        public void KillAll() => KillPids(Path.Join(pids, "cgroup.procs"));

        public void Delete()
        {
            foreach (var directory in new[] { memory, pids, cpu })
                RemoveWhenEmpty(directory);
        }
    }
}
