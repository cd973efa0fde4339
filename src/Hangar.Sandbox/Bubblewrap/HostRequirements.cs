using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Hangar.Sandbox.Packages;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Every host program and kernel feature bubblewrap sandboxes use, checked on this host (<c>hangar doctor</c>,
/// and at the start of <c>serve</c>/<c>worker</c>). Local sandboxes need none of it.
/// </summary>
public static class HostRequirements
{
    public static HostReport Check(SandboxOptions options) =>
        Check(options.UnrestrictedNetwork, options.BwrapPath, options.Slirp4netnsPath);

    /// <summary>Runs every check, including a trial bwrap as an unprivileged uid and cgroup detection.</summary>
    public static HostReport Check(UnrestrictedNetwork network, string bwrapPath = "/usr/bin/bwrap", string slirp4netnsPath = "/usr/bin/slirp4netns")
    {
        if (!OperatingSystem.IsLinux())
            return NotLinux();
        var root = Native.GetEuid() == 0;
        var programs = Checked(Programs(network, bwrapPath, slirp4netnsPath));
        bool Present(string name) => programs.Any(p => p.Name == name && p.Status == HostStatus.Ok);
        var canLaunch = root && Present(Path.GetFileName(bwrapPath)) && Present("setpriv");
        List<HostRequirement> items =
        [
            new("Linux", HostNeed.Required, HostStatus.Ok, "bubblewrap sandboxes", RuntimeInformation.OSDescription, ""),
            new("root", HostNeed.Required, root ? HostStatus.Ok : HostStatus.Missing,
                "giving each session its own uid and managing cgroups", root ? "running as root" : $"running as uid {Native.GetEuid()}",
                "run hangar as root (sudo, or a systemd service without User=)"),
            .. programs,
            canLaunch
                ? UserNamespaceCheck.Run(bwrapPath)
                : new("user namespaces", HostNeed.Required, HostStatus.NotChecked, "every sandbox", "needs root, bwrap and setpriv first", ""),
            Cgroups(),
        ];
        // Required first, then optional, then on demand; the order above within each.
        return new HostReport([.. items.OrderBy(i => i.Need)]);
    }

    /// <summary>The programs only (no trial run, no cgroups): what a provider refuses to start without.</summary>
    internal static HostReport CheckPrograms(SandboxOptions options) => OperatingSystem.IsLinux()
        ? new HostReport(Checked(Programs(options.UnrestrictedNetwork, options.BwrapPath, options.Slirp4netnsPath)))
        : NotLinux();

    private static IEnumerable<HostProgram> Programs(UnrestrictedNetwork network, string bwrap, string slirp4netns)
    {
        yield return new(Path.GetFileName(bwrap), bwrap, InSandbox: false, HostNeed.Required, "every sandbox", "apt-get install -y bubblewrap");
        // The launch line: sh → prlimit → setpriv → bwrap (BwrapCommand).
        yield return new("setpriv", "/usr/bin/setpriv", InSandbox: false, HostNeed.Required,
            "running each sandbox as its session's own uid", "apt-get install -y util-linux (Debian 11: apt-get install -y setpriv)");
        yield return new("prlimit", "/usr/bin/prlimit", InSandbox: false, HostNeed.Required,
            "each sandbox's process, open-file and file-size limits", "apt-get install -y util-linux");
        yield return HostProgram.Sandboxed("bash", HostNeed.Required, "the bash tool and every sandbox's start-up",
            "apt-get install -y bash; sandboxes see only /usr, so a host without merged /usr also needs apt-get install -y usrmerge");
        yield return HostProgram.Sandboxed("socat", HostNeed.Required,
            "sandbox networking: the in-sandbox relay to the egress proxy and the git credential proxy",
            "apt-get install -y socat");
        var userMode = network == UnrestrictedNetwork.UserMode;
        yield return new("slirp4netns", slirp4netns, InSandbox: false, userMode ? HostNeed.Required : HostNeed.OnDemand,
            userMode ? $"unrestricted networking ({UnrestrictedNetworkSetting.Variable}=usermode)"
                : $"unrestricted networking only with {UnrestrictedNetworkSetting.Variable}=usermode (not set)",
            "apt-get install -y slirp4netns");
        yield return HostProgram.Sandboxed("git", HostNeed.Optional, "cloning github_repository resources into sessions", "apt-get install -y git");
        // apt packages resolve and unpack on the host (AptLayerInstaller).
        yield return new("apt-get", "/usr/bin/apt-get", InSandbox: false, HostNeed.Optional, "apt packages in environments",
            "apt packages need a Debian or Ubuntu host (package apt)");
        yield return new("dpkg", "/usr/bin/dpkg", InSandbox: false, HostNeed.Optional, "apt packages in environments (dpkg -x)",
            "apt packages need a Debian or Ubuntu host (package dpkg)");
        foreach (var (manager, package) in new[] { ("npm", "npm"), ("pip", "python3-pip"), ("cargo", "cargo"), ("gem", "ruby"), ("go", "golang-go") })
        {
            var tool = ManagerRecipes.Tool(manager);
            yield return new(Path.GetFileName(tool), tool, InSandbox: true, HostNeed.OnDemand, $"{manager} packages in environments", $"apt-get install -y {package}");
        }
    }

    [SupportedOSPlatform("linux")]
    private static List<HostRequirement> Checked(IEnumerable<HostProgram> programs)
    {
        var results = new List<HostRequirement>();
        foreach (var program in programs)
            results.Add(program.Check());
        return results;
    }

    [SupportedOSPlatform("linux")]
    private static HostRequirement Cgroups()
    {
        var cgroups = CgroupHost.Detect();
        return new("cgroups", HostNeed.Optional, cgroups.EnforcesLimits ? HostStatus.Ok : HostStatus.Missing,
            "each sandbox's memory, CPU and process-count limits (without them only rlimits apply)", cgroups.Description,
            "cgroup v2: run hangar in its own cgroup with memory, pids and cpu delegated (systemd unit: Delegate=yes); "
            + "cgroup v1: mount the memory, pids and cpu controllers");
    }

    private static HostReport NotLinux() => new(
    [
        new("Linux", HostNeed.Required, HostStatus.Missing, "bubblewrap sandboxes", RuntimeInformation.OSDescription,
            "run Hangar on Linux, or start it with --sandbox local (tools NOT isolated)"),
    ]);
}
