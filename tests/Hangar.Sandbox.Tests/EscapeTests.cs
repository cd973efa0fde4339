using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests;

/// <summary>Each test is an escape attempt from inside a sandbox; passing means the attempt failed.</summary>
[Collection(SandboxCollection.Name)]
public sealed class EscapeTests(SandboxFixture fixture)
{
    private Task<ISandbox> NewSandboxAsync() =>
        fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);

    [Fact]
    public async Task Cannot_read_root_home_or_shadow()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash("cat /etc/shadow; ls -a /root; cat /root/.bashrc; echo done"));
        Assert.Contains("No such file", text);
        Assert.DoesNotContain("root:", text.Replace("root:x:0:0", "", StringComparison.Ordinal));
        Assert.EndsWith("done", text);
        var read = await sandbox.RunAsync(Tools.Call("read", new JsonObject { ["file_path"] = "/etc/shadow" }));
        Assert.True(read.IsError);
    }

    [Fact]
    public async Task Cannot_see_another_sessions_workspace()
    {
        var other = await NewSandboxAsync();
        await other.RunAsync(Tools.Bash("echo other-session-canary-42 > secret.txt"));
        var sandbox = await NewSandboxAsync();
        var otherHost = ((Bubblewrap.BubblewrapSandbox)other).HostWorkspace;
        var (text, _) = await sandbox.RunAsync(Tools.Bash(
            $"cat {otherHost}/secret.txt; ls {Path.GetDirectoryName(otherHost)}; grep -rls other-session-canary-4[2] /workspace /tmp /run /var /opt /mnt /home /srv /etc 2>/dev/null | head -3; echo done"));
        Assert.DoesNotContain("other-session-canary-42\n", text);
        Assert.DoesNotContain("other-session-canary-42", text.Replace("canary-4[2]", "", StringComparison.Ordinal));
        Assert.Equal("done", text.Split('\n')[^1]);
        Assert.Contains("No such file", text); // the host path does not even exist in here
    }

    [Fact]
    public async Task Sees_only_its_own_processes()
    {
        var sandbox = await NewSandboxAsync();
        var (text, isError) = await sandbox.RunAsync(Tools.Bash($"ls /proc | grep -E '^[0-9]+$' | wc -l; kill -0 {Environment.ProcessId} && echo host-pid-visible; cat /proc/1/cmdline | tr '\\0' ' '"));
        Assert.False(isError && text.Contains("host-pid-visible"), text);
        Assert.DoesNotContain("host-pid-visible", text);
        var count = int.Parse(text.Split('\n')[0]);
        Assert.InRange(count, 1, 10); // bwrap init, bash, a few helpers — not the host's hundreds
        Assert.DoesNotContain("dotnet", text);
    }

    [Fact]
    public async Task Host_environment_is_invisible()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash(
            $"env; cat /proc/1/environ; for f in /proc/*/environ; do cat $f; done 2>/dev/null; echo; echo ${SandboxFixture.HostSecretName}-end"));
        Assert.DoesNotContain(SandboxFixture.HostSecretValue, text);
        Assert.EndsWith("-end", text);
    }

    [Fact]
    public async Task Cannot_reach_host_loopback_service()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sandbox = await NewSandboxAsync();
        var (text, isError) = await sandbox.RunAsync(Tools.Bash(
            $"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected; ip -o addr 2>/dev/null | grep -v ' lo ' ; echo end"));
        Assert.DoesNotContain("connected", text);
        Assert.False(listener.Pending());
        _ = isError;
    }

    [Fact]
    public async Task Cannot_write_outside_workspace()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash(
            "for p in /usr/x /etc/x /x /opt/x /bin/x; do touch $p 2>/dev/null && echo wrote-$p; done; touch /workspace/ok /tmp/ok && echo ok"));
        Assert.DoesNotContain("wrote-", text);
        Assert.EndsWith("ok", text);
        var write = await sandbox.RunAsync(Tools.Call("write", new JsonObject { ["file_path"] = "/etc/evil", ["content"] = "x" }));
        Assert.True(write.IsError);
        Assert.False(File.Exists("/etc/evil"));
    }

    [Fact]
    public async Task Symlinks_do_not_lead_file_tools_to_host_files()
    {
        var sandbox = await NewSandboxAsync();
        await sandbox.RunAsync(Tools.Bash("ln -s /etc/shadow shadow-link; ln -s /root rootdir; ln -s /etc etc-link"));
        var hostShadowStart = File.ReadAllText("/etc/shadow")[..10];
        foreach (var call in new[]
        {
            Tools.Call("read", new JsonObject { ["file_path"] = "shadow-link" }),
            Tools.Call("read", new JsonObject { ["file_path"] = "rootdir/.bashrc" }),
            Tools.Call("grep", new JsonObject { ["pattern"] = "root", ["path"] = "etc-link" }),
            Tools.Call("edit", new JsonObject { ["file_path"] = "shadow-link", ["old_string"] = "root", ["new_string"] = "x" }),
            Tools.Call("write", new JsonObject { ["file_path"] = "etc-link/evil", ["content"] = "x" }),
        })
        {
            var (text, isError) = await sandbox.RunAsync(call);
            Assert.True(isError, $"{call.Name}: {text}");
            Assert.DoesNotContain(hostShadowStart, text);
        }
        Assert.False(File.Exists("/etc/evil"));
    }
}
