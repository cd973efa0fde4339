using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Hangar.Sandbox.Packages;

/// <summary>
/// apt packages without running anything from them: resolve against the HOST's package state
/// (<c>apt-get install -s</c>: only what the host lacks, dependencies included), <c>apt-get download</c>
/// those exact versions, and unpack each with <c>dpkg -x</c> into <c>&lt;layer&gt;/apt</c>. No maintainer
/// scripts run, nothing is installed on the host, the host's dpkg database is untouched. A package the
/// host already has needs nothing (the sandbox sees the host's /usr). Limits: no postinst work
/// (alternatives, generated caches), and programs that hard-code /usr/share paths may not find their
/// data under /opt/env/apt (docs/sandbox.md).
/// </summary>
internal static partial class AptLayerInstaller
{
    public static async Task InstallAsync(IReadOnlyList<string> packages, string layerDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var simulated = await BuildProcess.RunAsync(Apt("apt-get", ["install", "-s", "-qq", "--no-install-recommends",
            "-o", "Debug::NoLocking=true", .. packages]), timeout, null, ct);
        if (!simulated.Succeeded)
            throw new PackageInstallException("apt", packages, simulated.Reason("apt-get install -s (resolving against the host's package lists)"));
        var toFetch = InstLine().Matches(simulated.Output).Select(m => $"{m.Groups[1].Value}={m.Groups[2].Value}").ToList();
        if (toFetch.Count == 0)
            return; // all present on the host already
        var debs = Path.Join(layerDirectory, ".debs");
        Directory.CreateDirectory(debs);
        // apt downloads as its unprivileged _apt user when it can write the target directory: grant exactly that
        // user (chown, 0700), never everyone (0777 let any local user plant a .deb that root then unpacks).
        // Without an _apt user apt downloads as root, which 0700 root-owned allows.
        Bubblewrap.SocketGrant.RestrictDirectory(debs, AptUserId());
        var download = Apt("apt-get", ["download", "-q", .. toFetch]);
        download.WorkingDirectory = debs;
        var fetched = await BuildProcess.RunAsync(download, timeout, null, ct);
        if (!fetched.Succeeded)
            throw new PackageInstallException("apt", packages, fetched.Reason($"apt-get download {string.Join(' ', toFetch)}") +
                " (stale package lists? run apt-get update on the host)");
        var root = Path.Join(layerDirectory, "apt");
        Directory.CreateDirectory(root);
        foreach (var deb in Directory.GetFiles(debs, "*.deb").Order(StringComparer.Ordinal))
        {
            var unpacked = await BuildProcess.RunAsync(Apt("dpkg", ["-x", deb, root]), timeout, null, ct);
            if (!unpacked.Succeeded)
                throw new PackageInstallException("apt", packages, unpacked.Reason($"dpkg -x {Path.GetFileName(deb)}"));
        }
        Directory.Delete(debs, recursive: true);
    }

    /// <summary>The uid of apt's download user (<c>_apt</c>) from the host's passwd, or null when there is none.</summary>
    internal static int? AptUserId()
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && fields[0] == "_apt" && int.TryParse(fields[2], System.Globalization.CultureInfo.InvariantCulture, out var uid))
                return uid;
        }
        return null;
    }

    /// <summary>An apt/dpkg command with a clean environment (<see cref="BuildProcess.CleanEnvironment"/>), never Hangar's own.</summary>
    internal static ProcessStartInfo Apt(string tool, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo($"/usr/bin/{tool}", args);
        BuildProcess.CleanEnvironment(start);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        return start;
    }

    // "Inst libfoo (1.2-3 Debian:12.5/stable [amd64])" or, for an upgrade, "Inst libfoo [1.2-2] (1.2-3 …)".
    [GeneratedRegex(@"^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) ", RegexOptions.Multiline)]
    private static partial Regex InstLine();
}
