using System.Diagnostics;
using System.Runtime.Versioning;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Whether bwrap can create user namespaces as an unprivileged uid, as every sandbox does (setpriv drops to the
/// session uid before bwrap <c>--unshare-user</c>). Tried for real rather than inferred from sysctls: AppArmor
/// profiles, seccomp filters and container runtimes change the answer in ways the sysctls do not show.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class UserNamespaceCheck
{
    private const string Name = "user namespaces";
    private const string UsedFor = "every sandbox (bwrap --unshare-user as the session's uid)";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static HostRequirement Run(string bwrap)
    {
        var start = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        foreach (var arg in Arguments(bwrap))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start setpriv");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            return Missing($"a trial bwrap did not finish in {Timeout.TotalSeconds:0} s", "check that bwrap works here: bwrap --unshare-all --ro-bind / / /bin/true");
        }
        if (process.ExitCode == 0)
            return new HostRequirement(Name, HostNeed.Required, HostStatus.Ok, UsedFor, "bwrap works as an unprivileged uid", "");
        var error = stderr.Result.Trim();
        return Missing($"bwrap as an unprivileged uid failed (exit {process.ExitCode}: {error})", Fix());
    }

    private static HostRequirement Missing(string detail, string fix) =>
        new(Name, HostNeed.Required, HostStatus.Missing, UsedFor, detail, fix);

    private static List<string> Arguments(string bwrap)
    {
        // nobody's uid; the namespaces and mounts every sandbox uses, around /usr/bin/true.
        List<string> args = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", bwrap,
            "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib"];
        if (Directory.Exists("/usr/lib64"))
            args.AddRange(["--symlink", "usr/lib64", "/lib64"]);
        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]);
        return args;
    }

    private static string Fix()
    {
        if (Sysctl("user/max_user_namespaces") == "0")
            return "sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)";
        if (Sysctl("kernel/unprivileged_userns_clone") == "0")
            return "sysctl -w kernel.unprivileged_userns_clone=1 (persist it in /etc/sysctl.d/)";
        if (Sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1")
            return "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give bwrap an AppArmor profile that allows user namespaces";
        return "in a container, run it with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or --privileged)";
    }

    private static string? Sysctl(string name)
    {
        try
        {
            return File.ReadAllText(Path.Join("/proc/sys", name)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
