using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Hangar.Sandbox.Packages;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// What runs inside a sandbox and how it reaches the network. <paramref name="Layer"/> is the environment's
/// package layer (read-only at /opt/env; its PATH and variables are set when <paramref name="LayerEnvironment"/>).
/// <paramref name="WritableBinds"/> and <paramref name="Environment"/> serve layer builds only.
/// <paramref name="UserModeNetwork"/> binds slirp4netns's resolv.conf (the operator's usermode opt-in).
/// </summary>
internal sealed record SandboxProgram(IReadOnlyList<string> Command, string? ProxySocket = null, bool MountRunner = false,
    PackageLayer? Layer = null, bool LayerEnvironment = false,
    IReadOnlyList<(string Host, string Inside)>? WritableBinds = null, IReadOnlyDictionary<string, string>? Environment = null,
    bool UserModeNetwork = false)
{
    /// <summary>The git credential proxy's socket, bound at <see cref="BwrapCommand.GitSocketInside"/> (repository resources).</summary>
    public string? GitSocket { get; init; }
}

/// <summary>
/// The launch line of one sandboxed program (the study's measured recipe, §0/§1):
/// <c>sh -c 'join cgroups; exec "$@"' prlimit … -- setpriv --reuid=U … -- bwrap … -- program</c>, started
/// with an EMPTY environment (otherwise bwrap's pid 1 keeps ours, readable via /proc/1/environ).
/// </summary>
internal static class BwrapCommand
{
    public const string ProxySocketInside = "/run/sbx/proxy.sock";
    public const string RunnerInside = "/opt/hangar/runner";
    public const string ProxyUrl = "http://127.0.0.1:3128";
    public const string GitSocketInside = "/run/sbx/git.sock";

    /// <summary>Where repositories' remotes point inside the sandbox: the relay to the host's git credential proxy.</summary>
    public const string GitRemoteBase = "http://127.0.0.1:3129";

    // Joins every cgroup given (count first) with the shell's own pid, which exec keeps for bwrap; opens the
    // seccomp filter (first argument) as fd 3 of what it execs, which bwrap reads (--seccomp 3). .NET cannot
    // hand a child extra descriptors, so the shell does.
    private const string Launcher = "f=$1; shift; n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1)); done; exec \"$@\" 3<\"$f\"";

    /// <summary>The descriptor the launcher opens the filter on.</summary>
    private const string SeccompDescriptor = "3";

    public static ProcessStartInfo Build(SandboxOptions options, SandboxStore store, SessionLayout session,
        ISandboxCgroup cgroup, SandboxProgram program)
    {
        var limits = options.Limits;
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        var args = start.ArgumentList;
        Add(args, "-c", Launcher, "sbx-launch", store.SeccompFile, cgroup.ProcsFiles.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var file in cgroup.ProcsFiles)
            args.Add(file);
        Add(args, "/usr/bin/prlimit",
            // RLIMIT_NPROC is a backstop above pids.max, so the cgroup (whose counter we watch) trips first.
            $"--nproc={limits.MaxProcesses + 64}", $"--fsize={limits.MaxFileBytes}", $"--nofile={limits.MaxOpenFiles}", "--core=0", "--",
            "/usr/bin/setpriv", $"--reuid={session.Uid}", $"--regid={session.Uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--", options.BwrapPath);
        AddSystem(args);
        Add(args, "--ro-bind", Path.Join(store.Shared, "passwd"), "/etc/passwd",
            "--ro-bind", Path.Join(store.Shared, "group"), "/etc/group",
            "--ro-bind", Path.Join(store.Shared, "hosts"), "/etc/hosts",
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", limits.TmpBytes.ToString(CultureInfo.InvariantCulture), "--tmpfs", "/tmp",
            "--bind", session.Workspace, "/workspace", "--chdir", "/workspace",
            "--unshare-all", "--unshare-user", "--disable-userns", "--uid", "1000", "--gid", "1000",
            "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--seccomp", SeccompDescriptor,
            "--clearenv", "--setenv", "PATH", SearchPath(program), "--setenv", "HOME", "/workspace",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "TERM", "dumb", "--setenv", "USER", "sandbox");
        foreach (var mount in session.Mounts)
            Add(args, mount.ReadOnly ? "--ro-bind" : "--bind", mount.Source, mount.Target);
        if (program.MountRunner)
        {
            var dotnetRoot = DotnetRoot();
            if (!dotnetRoot.StartsWith("/usr/", StringComparison.Ordinal))
                Add(args, "--ro-bind", dotnetRoot, dotnetRoot);
            Add(args, "--ro-bind", store.RunnerDirectory, RunnerInside,
                "--setenv", "DOTNET_ROOT", dotnetRoot, "--setenv", "DOTNET_EnableDiagnostics", "0",
                "--setenv", "DOTNET_CLI_TELEMETRY_OPTOUT", "1", "--setenv", "DOTNET_gcServer", "0");
        }
        if (program.Layer is { } layer)
        {
            Add(args, "--ro-bind", layer.Directory, PackageLayer.MountPoint);
            if (program.LayerEnvironment)
            {
                foreach (var (name, value) in layer.Environment)
                    Add(args, "--setenv", name, value);
            }
        }
        foreach (var (host, inside) in program.WritableBinds ?? [])
            Add(args, "--bind", host, inside);
        foreach (var (name, value) in program.Environment ?? new Dictionary<string, string>())
            Add(args, "--setenv", name, value);
        if (program.ProxySocket is { } socket)
        {
            // Bind the socket file only (not its directory): the sandbox sees nothing else of the host's.
            Add(args, "--ro-bind", socket, ProxySocketInside);
            foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy" })
                Add(args, "--setenv", name, ProxyUrl);
            Add(args, "--setenv", "NO_PROXY", "localhost,127.0.0.1,::1", "--setenv", "no_proxy", "localhost,127.0.0.1,::1");
        }
        if (program.UserModeNetwork)
            Add(args, "--ro-bind", Path.Join(store.Shared, "resolv.conf"), "/etc/resolv.conf");
        if (program.GitSocket is { } gitSocket)
        {
            // git fails instead of prompting when the remote refuses (no token, wrong token).
            Add(args, "--ro-bind", gitSocket, GitSocketInside, "--setenv", "GIT_TERMINAL_PROMPT", "0");
        }
        // Last mount operation: nothing outside /workspace and /tmp is writable, not even bwrap's root tmpfs.
        Add(args, "--remount-ro", "/", "--");
        foreach (var part in program.Command)
            args.Add(part);
        return start;
    }

    /// <summary>The in-sandbox dotnet host for the file-tool runner.</summary>
    public static IReadOnlyList<string> RunnerCommand() =>
        [Path.Join(DotnetRoot(), "dotnet"), "exec", Path.Join(RunnerInside, SandboxStore.RunnerDll)];

    /// <summary>bash started behind an in-sandbox relay 127.0.0.1:3128 → the bound proxy socket (limited networking).</summary>
    public static IReadOnlyList<string> ShellBehindRelay() =>
    [
        "/bin/bash", "--noprofile", "--norc", "-c",
        RequireSocat("this sandbox") +
        $"socat TCP4-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr,backlog=256 UNIX-CONNECT:{ProxySocketInside} >/dev/null 2>&1 &\n" +
        "for i in $(seq 400); do grep -q ':0C38 00000000:0000 0A' /proc/net/tcp && break; sleep 0.005; done\n" +
        "exec /bin/bash --noprofile --norc",
    ];

    /// <summary>
    /// bash started once slirp4netns has configured tap0 (its default route appears), for unrestricted
    /// networking. If slirp never comes, bash starts anyway after ~2 s with loopback only (fail closed).
    /// </summary>
    public static IReadOnlyList<string> ShellBehindSlirp() =>
    [
        "/bin/bash", "--noprofile", "--norc", "-c",
        $"for i in $(seq 400); do grep -q '^{SlirpNetwork.TapDevice}[[:space:]]00000000' /proc/net/route && break; sleep 0.005; done\n" +
        "exec /bin/bash --noprofile --norc",
    ];

    /// <summary>Like <see cref="ShellBehindRelay"/>, but execs <paramref name="command"/> once the relay listens (layer builds).</summary>
    public static IReadOnlyList<string> BehindRelay(IReadOnlyList<string> command) =>
    [
        "/bin/bash", "--noprofile", "--norc", "-c",
        RequireSocat("package installs") +
        $"socat TCP4-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr,backlog=256 UNIX-CONNECT:{ProxySocketInside} >/dev/null 2>&1 &\n" +
        "for i in $(seq 400); do grep -q ':0C38 00000000:0000 0A' /proc/net/tcp && break; sleep 0.005; done\n" +
        "exec \"$@\"",
        "sbx-build", .. command,
    ];

    /// <summary>Runs <paramref name="command"/> once an in-sandbox relay 127.0.0.1:3129 → the git proxy socket listens.</summary>
    public static IReadOnlyList<string> BehindGitRelay(IReadOnlyList<string> command) =>
    [
        "/bin/bash", "--noprofile", "--norc", "-c",
        RequireSocat("repository clones") +
        $"socat TCP4-LISTEN:3129,bind=127.0.0.1,fork,reuseaddr,backlog=64 UNIX-CONNECT:{GitSocketInside} >/dev/null 2>&1 &\n" +
        "for i in $(seq 400); do grep -q ':0C39 00000000:0000 0A' /proc/net/tcp && break; sleep 0.005; done\n" +
        "exec \"$@\"",
        "sbx-git", .. command,
    ];

    /// <summary>
    /// The relay's first line: without socat the sandbox would start with a dead network and curl would only say
    /// "connection refused", so the shell exits at once and says why (the bash tool shows it; start-up checks too).
    /// </summary>
    private static string RequireSocat(string what) =>
        "command -v socat >/dev/null || { echo \"hangar: socat is missing on the host, so " + what + " cannot reach the network. " +
        "On the host: apt-get install -y socat (hangar doctor lists every prerequisite).\" >&2; exit 127; }\n";

    private static string SearchPath(SandboxProgram program)
    {
        const string system = "/usr/local/bin:/usr/bin:/bin";
        return program is { LayerEnvironment: true, Layer.PathEntries.Count: > 0 }
            ? string.Join(':', program.Layer.PathEntries) + ":" + system
            : system;
    }

    public static readonly IReadOnlyList<string> Shell = ["/bin/bash", "--noprofile", "--norc"];

    private static void AddSystem(IList<string> args)
    {
        // Host /usr read-only minus /usr/local (host tooling); a handful of /etc files, no host home.
        Add(args, "--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--symlink", "usr/lib", "/lib");
        if (Directory.Exists("/usr/lib64"))
            Add(args, "--symlink", "usr/lib64", "/lib64");
        Add(args, "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/ssl", "/etc/ssl",
            "--ro-bind-try", "/etc/ca-certificates", "/etc/ca-certificates",
            "--ro-bind-try", "/etc/nsswitch.conf", "/etc/nsswitch.conf",
            "--ro-bind-try", "/etc/localtime", "/etc/localtime");
    }

    private static string DotnetRoot()
    {
        // …/shared/Microsoft.NETCore.App/<version>/ → the install root holding the dotnet host.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        return Path.GetFullPath(Path.Join(runtime, "..", "..", ".."));
    }

    private static void Add(IList<string> list, params string[] items)
    {
        foreach (var item in items)
            list.Add(item);
    }
}
