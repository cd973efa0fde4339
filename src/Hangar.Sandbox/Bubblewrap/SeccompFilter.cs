using System.Runtime.InteropServices;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// The sandbox's syscall filter: a classic-BPF seccomp program handed to bubblewrap (<c>--seccomp FD</c>), which
/// installs it just before it executes the sandboxed program. Everything is allowed except calls no agent's code
/// needs that widen the kernel surface or reach past the namespace: tracing other processes, kernel keyrings,
/// BPF, userfaultfd, mounting, new user namespaces, perf, kexec, modules, file handles, raw I/O ports, swap,
/// reboot, accounting, quotas and similar. Denied calls fail with EPERM (a program sees a clean error, never a
/// kill); <c>clone3</c> fails with ENOSYS because its flags sit behind a pointer BPF cannot read, and libc then
/// falls back to <c>clone</c>, whose flags are checked. A call made under another architecture's ABI (32-bit
/// <c>int 0x80</c>, x32) kills the process: its numbers mean other calls. Hand-written rather than libseccomp,
/// so the sandbox needs no native library and the program is easy to review here.
/// </summary>
internal static class SeccompFilter
{
    private const uint AuditArchX8664 = 0xC000003E;
    private const uint AuditArchAarch64 = 0xC00000B7;
    private const uint X32SyscallBit = 0x40000000;
    private const uint CloneNewUser = 0x10000000;

    private const uint RetAllow = 0x7fff0000;
    private const uint RetKillProcess = 0x80000000;
    private const uint RetErrno = 0x00050000;
    private const uint Eperm = 1;
    private const uint Enosys = 38;

    // struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6] (low half first: little-endian).
    private const uint OffsetNr = 0;
    private const uint OffsetArch = 4;
    private const uint OffsetArg0Low = 16;

    private const ushort LoadWordAbs = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpEq = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpGe = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpSet = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    private const ushort ReturnConstant = 0x06; // BPF_RET | BPF_K

    /// <summary>Calls denied with EPERM, by name (numbers per architecture below).</summary>
    public static readonly IReadOnlyList<string> Denied =
    [
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
        "keyctl", "add_key", "request_key",
        "bpf", "userfaultfd", "perf_event_open", "fanotify_init", "lookup_dcookie", "io_uring_setup",
        "mount", "umount2", "pivot_root", "setns", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "open_by_handle_at", "name_to_handle_at",
        "iopl", "ioperm", "swapon", "swapoff", "reboot", "acct", "quotactl", "quotactl_fd", "syslog", "vhangup",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "nfsservctl", "uselib",
        "create_module", "get_kernel_syms", "query_module", "_sysctl",
    ];

    private sealed record Arch(uint AuditArch, IReadOnlyDictionary<string, uint> Numbers, bool HasX32);

    // From the kernel's uapi headers (asm/unistd_64.h; asm-generic/unistd.h for aarch64). A name missing
    // on an architecture has no call to deny there.
    private static readonly Arch X8664 = new(AuditArchX8664, new Dictionary<string, uint>
    {
        ["ptrace"] = 101,
        ["process_vm_readv"] = 310,
        ["process_vm_writev"] = 311,
        ["kcmp"] = 312,
        ["keyctl"] = 250,
        ["add_key"] = 248,
        ["request_key"] = 249,
        ["bpf"] = 321,
        ["userfaultfd"] = 323,
        ["perf_event_open"] = 298,
        ["fanotify_init"] = 300,
        ["lookup_dcookie"] = 212,
        ["io_uring_setup"] = 425,
        ["mount"] = 165,
        ["umount2"] = 166,
        ["pivot_root"] = 155,
        ["setns"] = 308,
        ["fsopen"] = 430,
        ["fsconfig"] = 431,
        ["fsmount"] = 432,
        ["fspick"] = 433,
        ["move_mount"] = 429,
        ["open_tree"] = 428,
        ["mount_setattr"] = 442,
        ["kexec_load"] = 246,
        ["kexec_file_load"] = 320,
        ["init_module"] = 175,
        ["finit_module"] = 313,
        ["delete_module"] = 176,
        ["open_by_handle_at"] = 304,
        ["name_to_handle_at"] = 303,
        ["iopl"] = 172,
        ["ioperm"] = 173,
        ["swapon"] = 167,
        ["swapoff"] = 168,
        ["reboot"] = 169,
        ["acct"] = 163,
        ["quotactl"] = 179,
        ["quotactl_fd"] = 443,
        ["syslog"] = 103,
        ["vhangup"] = 153,
        ["settimeofday"] = 164,
        ["clock_settime"] = 227,
        ["clock_adjtime"] = 305,
        ["adjtimex"] = 159,
        ["nfsservctl"] = 180,
        ["uselib"] = 134,
        ["create_module"] = 174,
        ["get_kernel_syms"] = 177,
        ["query_module"] = 178,
        ["_sysctl"] = 156,
        ["clone"] = 56,
        ["clone3"] = 435,
        ["unshare"] = 272,
        ["personality"] = 135,
    }, HasX32: true);

    private static readonly Arch Aarch64 = new(AuditArchAarch64, new Dictionary<string, uint>
    {
        ["ptrace"] = 117,
        ["process_vm_readv"] = 270,
        ["process_vm_writev"] = 271,
        ["kcmp"] = 272,
        ["keyctl"] = 219,
        ["add_key"] = 217,
        ["request_key"] = 218,
        ["bpf"] = 280,
        ["userfaultfd"] = 282,
        ["perf_event_open"] = 241,
        ["fanotify_init"] = 262,
        ["lookup_dcookie"] = 18,
        ["io_uring_setup"] = 425,
        ["mount"] = 40,
        ["umount2"] = 39,
        ["pivot_root"] = 41,
        ["setns"] = 268,
        ["fsopen"] = 430,
        ["fsconfig"] = 431,
        ["fsmount"] = 432,
        ["fspick"] = 433,
        ["move_mount"] = 429,
        ["open_tree"] = 428,
        ["mount_setattr"] = 442,
        ["kexec_load"] = 104,
        ["kexec_file_load"] = 294,
        ["init_module"] = 105,
        ["finit_module"] = 273,
        ["delete_module"] = 106,
        ["open_by_handle_at"] = 265,
        ["name_to_handle_at"] = 264,
        ["swapon"] = 224,
        ["swapoff"] = 225,
        ["reboot"] = 142,
        ["acct"] = 89,
        ["quotactl"] = 60,
        ["quotactl_fd"] = 443,
        ["syslog"] = 116,
        ["vhangup"] = 58,
        ["settimeofday"] = 170,
        ["clock_settime"] = 112,
        ["clock_adjtime"] = 266,
        ["adjtimex"] = 171,
        ["nfsservctl"] = 42,
        ["clone"] = 220,
        ["clone3"] = 435,
        ["unshare"] = 97,
        ["personality"] = 92,
    }, HasX32: false);

    /// <summary>personality(2) values programs legitimately pass: PER_LINUX, PER_LINUX32 and the query 0xffffffff.</summary>
    private static readonly uint[] AllowedPersonalities = [0x0, 0x8, 0xffffffff];

    /// <summary>The filter for this process's architecture (x86_64 or aarch64); throws on any other.</summary>
    public static byte[] ForCurrentArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Build(X8664),
        Architecture.Arm64 => Build(Aarch64),
        var other => throw new PlatformNotSupportedException($"no sandbox syscall filter for {other} (x86_64 and aarch64 only)"),
    };

    private static byte[] Build(Arch arch)
    {
        var program = new Program();
        program.Load(OffsetArch);
        program.Jump(JumpEq, arch.AuditArch, "native", "kill");
        program.Label("native");
        program.Load(OffsetNr);
        if (arch.HasX32)
            program.Jump(JumpGe, X32SyscallBit, "kill", null);
        program.Jump(JumpEq, arch.Numbers["clone"], "namespace-flags", null);
        program.Jump(JumpEq, arch.Numbers["unshare"], "namespace-flags", null);
        program.Jump(JumpEq, arch.Numbers["clone3"], "enosys", null);
        program.Jump(JumpEq, arch.Numbers["personality"], "personality", null);
        foreach (var name in Denied)
        {
            if (arch.Numbers.TryGetValue(name, out var number))
                program.Jump(JumpEq, number, "eperm", null);
        }
        program.Return(RetAllow);

        program.Label("namespace-flags");
        program.Load(OffsetArg0Low);
        program.Jump(JumpSet, CloneNewUser, "eperm", null);
        program.Return(RetAllow);

        program.Label("personality");
        program.Load(OffsetArg0Low);
        foreach (var value in AllowedPersonalities)
            program.Jump(JumpEq, value, "allow", null);
        program.Label("eperm");
        program.Return(RetErrno | Eperm);
        program.Label("allow");
        program.Return(RetAllow);
        program.Label("enosys");
        program.Return(RetErrno | Enosys);
        program.Label("kill");
        program.Return(RetKillProcess);
        return program.Assemble();
    }

    /// <summary>A tiny assembler: instructions with symbolic forward jumps (null: fall through).</summary>
    private sealed class Program
    {
        private readonly List<(ushort Code, string? True, string? False, uint K)> instructions = [];
        private readonly Dictionary<string, int> labels = [];

        public void Load(uint offset) => instructions.Add((LoadWordAbs, null, null, offset));

        public void Jump(ushort code, uint k, string? whenTrue, string? whenFalse) => instructions.Add((code, whenTrue, whenFalse, k));

        public void Return(uint action) => instructions.Add((ReturnConstant, null, null, action));

        public void Label(string name) => labels[name] = instructions.Count;

        public byte[] Assemble()
        {
            var bytes = new byte[instructions.Count * 8];
            for (var i = 0; i < instructions.Count; i++)
            {
                var (code, whenTrue, whenFalse, k) = instructions[i];
                var span = bytes.AsSpan(i * 8, 8);
                BitConverter.TryWriteBytes(span[..2], code);
                span[2] = Offset(i, whenTrue);
                span[3] = Offset(i, whenFalse);
                BitConverter.TryWriteBytes(span[4..], k);
            }
            return bytes;
        }

        private byte Offset(int from, string? label)
        {
            if (label is null)
                return 0;
            var distance = labels[label] - from - 1;
            if (distance is < 0 or > byte.MaxValue)
                throw new InvalidOperationException($"seccomp jump to {label} out of range ({distance})");
            return (byte)distance;
        }
    }
}
