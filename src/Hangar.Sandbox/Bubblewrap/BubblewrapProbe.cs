namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Runs the real launch line once with <c>/bin/true</c> (and the runner's dotnet with --info-free
/// <c>--version</c> check skipped: bash is enough to prove namespaces, mounts and uid switching work) and
/// turns failures into an actionable <see cref="SandboxUnavailableException"/> (study §7).
/// </summary>
internal static class BubblewrapProbe
{
    public static async Task RunAsync(SandboxOptions options, SandboxStore store, CgroupHost cgroups, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
            throw new SandboxUnavailableException("bubblewrap sandboxes need Linux");
        if (Native.GetEuid() != 0)
            throw new SandboxUnavailableException("the sandbox provider must run as root: it switches each session to its own unprivileged uid (setpriv) and manages cgroups");
        // The programs every sandbox runs (bwrap, setpriv, prlimit, socat…): a clear refusal beats a dead sandbox.
        HostRequirements.CheckPrograms(options).ThrowIfUnusable();

        var session = store.Open(SandboxStore.ProbeSession);
        // Its own cgroup name: providers probing at once in one process (tests) must not delete each other's.
        var cgroup = cgroups.Create("probe-" + Guid.NewGuid().ToString("N")[..12], options.Limits);
        try
        {
            var start = BwrapCommand.Build(options, store, session, cgroup,
                new SandboxProgram(["/bin/sh", "-c", "test \"$(id -u)\" = 1000 && test -w /workspace && ! test -e /root/.bashrc"]));
            using var process = LauncherThread.Start(start) ?? throw new SandboxUnavailableException("could not start bwrap");
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new SandboxUnavailableException(Explain((await stderr).Trim(), process.ExitCode, store.Root));
        }
        finally
        {
            cgroup.KillAll();
            cgroup.Delete();
        }
    }

    private static string Explain(string stderr, int exitCode, string root)
    {
        var hint = stderr switch
        {
            _ when stderr.Contains("No permissions to create new namespace", StringComparison.Ordinal)
                || stderr.Contains("Creating new namespace failed", StringComparison.Ordinal) =>
                "unprivileged user namespaces are disabled or exhausted: sysctl -w kernel.unprivileged_userns_clone=1 and user.max_user_namespaces=15000 " +
                "(in a container: --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or --privileged)",
            _ when stderr.Contains("setting up uid map", StringComparison.Ordinal) =>
                "AppArmor restricts unprivileged user namespaces: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 or add an AppArmor profile for bwrap",
            _ when stderr.Contains("Failed to make / slave", StringComparison.Ordinal) || stderr.Contains("Can't mount proc", StringComparison.Ordinal) =>
                "mounts are denied (AppArmor/seccomp in a container): run the container with apparmor=unconfined and seccomp=unconfined",
            _ when stderr.Contains("Permission denied", StringComparison.Ordinal) && stderr.Contains("Can't find source path", StringComparison.Ordinal) =>
                $"the session uid cannot reach {root}: every parent directory of the data directory must be traversable (chmod o+x)",
            _ => "check that bubblewrap works here: bwrap --unshare-all --ro-bind / / /bin/true",
        };
        return $"bubblewrap sandboxes do not work on this host (exit {exitCode}: {stderr}). Fix: {hint}. Tools are never run unsandboxed.";
    }
}
