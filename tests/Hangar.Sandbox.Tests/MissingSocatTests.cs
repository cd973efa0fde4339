using System.Runtime.Versioning;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// A limited sandbox whose relay cannot find socat (the host lost it after start-up): the bash tool must say
/// why the network is dead instead of leaving curl to fail with "connection refused". socat can't be
/// uninstalled here, so bwrap is wrapped to give the sandbox a PATH of every /usr/bin program but socat.
/// </summary>
public sealed class MissingSocatTests : IDisposable
{
    private readonly string data = Path.Join("/tmp", "hangar-nosocat-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task The_bash_tool_names_socat_and_its_install_command_when_the_relay_cannot_start()
    {
        Directory.CreateDirectory(data);
        // The sandbox's programs minus socat, as symlinks into its /usr/bin: curl is there, the relay is not.
        var bin = Directory.CreateDirectory(Path.Join(data, "bin")).FullName;
        foreach (var program in Directory.EnumerateFiles("/usr/bin").Select(Path.GetFileName).Where(p => p != "socat"))
            File.CreateSymbolicLink(Path.Join(bin, program!), Path.Join("/usr/bin", program));
        // Mounts them and puts them on PATH just before bwrap's last mount step (after the sandbox's own PATH).
        var bwrap = Path.Join(data, "bwrap-without-socat");
        File.WriteAllText(bwrap, $$"""
            #!/bin/bash
            args=("$@")
            for i in "${!args[@]}"; do [ "${args[i]}" = --remount-ro ] && break; done
            exec /usr/bin/bwrap "${args[@]:0:i}" --ro-bind {{bin}} /opt/bin --setenv PATH /opt/bin "${args[@]:i}"
            """);
        File.SetUnixFileMode(bwrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var proxySocket = Path.Join(data, "proxy.sock"); // never connected to: the relay never starts
        File.WriteAllText(proxySocket, "");

        var options = new SandboxOptions { DataDirectory = data, BwrapPath = bwrap, Limits = SandboxFixture.TestLimits };
        var store = SandboxStore.Prepare(options);
        var session = store.Open(SandboxFixture.NewSessionId());
        var cgroup = new NoCgroupHost("test").Create(session.SessionId, options.Limits);
        await using var sandbox = new BubblewrapSandbox(session.SessionId + "-test", options, store, session, new NetworkPolicy.Limited([], false, false),
            new EgressEndpoint(proxySocket), userModeNetwork: false, layer: null, cgroup, _ => ValueTask.CompletedTask);
        sandbox.Start();

        var (text, isError) = await sandbox.RunAsync(Tools.Bash("curl -sS https://example.com"));

        Assert.True(isError, text);
        Assert.Contains("socat is missing on the host", text);
        Assert.Contains("apt-get install -y socat", text);
    }

    public void Dispose()
    {
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
    }
}
