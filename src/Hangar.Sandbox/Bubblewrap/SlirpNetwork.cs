using System.Diagnostics;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// User-mode networking for an <c>unrestricted</c> sandbox (study §4c): the sandbox keeps its own network
/// namespace and a host-side <c>slirp4netns</c> gives it a tap0 (10.0.2.100/24, gateway 10.0.2.2, DNS
/// 10.0.2.3). <c>--disable-host-loopback</c> refuses 10.0.2.2 → host 127.0.0.1; the host namespace is never
/// shared. slirp4netns runs as root (joining a namespace owned by another user needs CAP_SYS_ADMIN in the
/// host namespace: as the session uid it fails with EPERM) but sandboxes itself (<c>--enable-sandbox</c>: own
/// mount namespace, all capabilities dropped but CAP_NET_BIND_SERVICE) and filters syscalls
/// (<c>--enable-seccomp</c>). Its stdin is its exit fd: when we (or this whole process) go, it exits.
/// </summary>
internal sealed class SlirpNetwork : IDisposable
{
    public const string TapDevice = "tap0";
    public const string Dns = "10.0.2.3";
    private static readonly TimeSpan FindTimeout = TimeSpan.FromSeconds(2);
    private readonly Process process;

    private SlirpNetwork(Process process) => this.process = process;

    /// <summary>
    /// Connects <paramref name="bwrap"/>'s sandbox (the child it cloned into new namespaces) to slirp4netns.
    /// Returns null (the sandbox simply has no network: fail closed) when the namespace cannot be found.
    /// </summary>
    public static SlirpNetwork? Attach(string slirpPath, Process bwrap)
    {
        var netns = FindSandboxNetns(bwrap);
        if (netns is null)
            return null;
        var start = new ProcessStartInfo(slirpPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        foreach (var arg in new[]
                 {
                     "--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp",
                     "--exit-fd=0", "--netns-type=path", netns, TapDevice,
                 })
            start.ArgumentList.Add(arg);
        var process = LauncherThread.Start(start);
        if (process is null)
            return null;
        // Drain its chatter so a full pipe never blocks it.
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SlirpNetwork(process);
    }

    /// <summary>
    /// /proc/&lt;child&gt;/ns/net of bwrap's namespaced child, once that child has forked the sandboxed
    /// command. The launch line execs down to bwrap (sh → prlimit → setpriv → bwrap keep one pid); bwrap's
    /// only child is the sandbox's init, already in the new namespace, which configures loopback over
    /// netlink before it forks the command. Attaching earlier races that setup ("bwrap: loopback: Failed
    /// RTM_NEWADDR"), so we wait for the grandchild.
    /// </summary>
    private static string? FindSandboxNetns(Process bwrap)
    {
        var pid = bwrap.Id;
        var own = NetnsOf(pid);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < FindTimeout && !bwrap.HasExited)
        {
            foreach (var child in ChildrenOf(pid))
            {
                var ns = NetnsOf(child);
                if (ns is not null && ns != own && ChildrenOf(child).Count > 0)
                    return $"/proc/{child}/ns/net";
            }
            Thread.Sleep(1);
        }
        return null;
    }

    private static List<int> ChildrenOf(int pid) =>
        [.. ReadOrEmpty($"/proc/{pid}/task/{pid}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture))];

    private static string? NetnsOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget; // "net:[inode]"
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
                process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}
