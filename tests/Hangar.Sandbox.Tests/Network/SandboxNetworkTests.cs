using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>
/// Network policy end to end: <c>curl</c> inside a real sandbox against loopback servers on the host. Each
/// assertion is what the agent would observe, and the upstream's request counter proves what was never sent.
/// </summary>
[Collection(SandboxNetworkCollection.Name)]
public sealed class SandboxNetworkTests(SandboxNetworkFixture fx, ITestOutputHelper output)
{
    private static string Curl(string url, string extra = "") =>
        $"curl -sS -m 5 {extra} -w ' [http %{{http_code}}]' {url} 2>&1; echo \" rc=$?\"";

    [Fact]
    public async Task Limited_with_private_egress_reaches_the_allowed_host_through_the_proxy_and_gets_403_for_others()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, SandboxNetworkFixture.Limited($"allowed.test:{fx.Allowed.Port}"));
        var blockedBefore = fx.Blocked.Requests;

        var (allowed, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://allowed.test:{fx.Allowed.Port}/")));
        var (blocked, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://blocked.test:{fx.Blocked.Port}/")));
        var (tunnel, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://blocked.test:{fx.Blocked.Port}/")));

        Assert.Contains("hello from allowed [http 200] rc=0", allowed);
        Assert.Contains("Hangar sandbox egress proxy", blocked);
        Assert.Contains("blocked.test", blocked);
        Assert.Contains("[http 403]", blocked);
        Assert.Contains("CONNECT tunnel failed, response 403", tunnel);
        Assert.Equal(blockedBefore, fx.Blocked.Requests);

        // Round trip of one proxied request as the agent sees it (bash call → curl → relay → proxy → upstream).
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            var (text, _) = await sandbox.RunAsync(Tools.Bash($"curl -sS -m 5 http://allowed.test:{fx.Allowed.Port}/"));
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal("hello from allowed", text);
        }
        times.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bash+curl via proxy: p50 {times[10]:0.0} ms, p95 {times[18]:0.0} ms"));
    }

    [Fact]
    public async Task Limited_without_private_egress_refuses_even_an_allowed_name_that_resolves_to_loopback()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PublicOnly, SandboxNetworkFixture.Limited($"allowed.test:{fx.Allowed.Port}"));
        var before = fx.Allowed.Requests;

        var (text, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://allowed.test:{fx.Allowed.Port}/")));

        Assert.Contains("[http 403]", text);
        Assert.Contains("Hangar sandbox egress proxy", text);
        Assert.DoesNotContain("hello from allowed", text);
        Assert.Equal(before, fx.Allowed.Requests);
    }

    [Fact]
    public async Task No_allowed_hosts_means_nothing_is_reachable_not_even_host_loopback_directly()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, SandboxNetworkFixture.Limited());
        var before = fx.Allowed.Requests + fx.Blocked.Requests;

        var (proxied, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://allowed.test:{fx.Allowed.Port}/")));
        var (direct, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://127.0.0.1:{fx.Allowed.Port}/", "--noproxy '*'")));
        var (raw, _) = await sandbox.RunAsync(Tools.Bash($"(exec 3<>/dev/tcp/127.0.0.1/{fx.Blocked.Port}) 2>/dev/null && echo connected || echo refused"));
        var (interfaces, _) = await sandbox.RunAsync(Tools.Bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));

        Assert.Contains("[http 403]", proxied);
        Assert.Contains("rc=7", direct); // couldn't connect: the sandbox's 127.0.0.1 is its own
        Assert.Equal("refused", raw);
        Assert.Equal("lo", interfaces);
        Assert.Equal(before, fx.Allowed.Requests + fx.Blocked.Requests);
    }

    [Fact]
    public async Task Unrestricted_by_default_goes_through_the_proxy_which_refuses_a_host_resolving_to_loopback()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PublicOnly, SandboxNetworkFixture.Unrestricted());
        var before = fx.Allowed.Requests;

        var (http, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://allowed.test:{fx.Allowed.Port}/")));
        var (tunnel, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://allowed.test:{fx.Allowed.Port}/")));
        var (direct, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://127.0.0.1:{fx.Allowed.Port}/", "--noproxy '*'")));
        var (interfaces, _) = await sandbox.RunAsync(Tools.Bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));
        var (env, _) = await sandbox.RunAsync(Tools.Bash("echo $HTTPS_PROXY"));

        Assert.Contains("[http 403]", http);
        Assert.Contains("Hangar sandbox egress proxy", http);
        Assert.Contains("--allow-private-egress", http);
        Assert.Contains("CONNECT tunnel failed, response 403", tunnel);
        Assert.Contains("rc=7", direct); // no route anywhere but the proxy relay
        Assert.Equal("lo", interfaces); // no tap0: slirp4netns is not used by default
        Assert.Equal("http://127.0.0.1:3128", env);
        Assert.Equal(before, fx.Allowed.Requests);
    }

    [Fact]
    public async Task Unrestricted_by_default_with_private_egress_reaches_any_host_through_the_proxy()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, SandboxNetworkFixture.Unrestricted());
        var before = fx.Allowed.Requests + fx.Blocked.Requests;

        // No allowed_hosts: unrestricted allows every destination (both names stand in for public hosts).
        var (allowed, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://allowed.test:{fx.Allowed.Port}/")));
        var (blocked, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://blocked.test:{fx.Blocked.Port}/")));
        var (interfaces, _) = await sandbox.RunAsync(Tools.Bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));

        Assert.Contains("hello from allowed [http 200] rc=0", allowed);
        Assert.Contains("hello from blocked [http 200] rc=0", blocked);
        Assert.Equal("lo", interfaces);
        Assert.Equal(before + 2, fx.Allowed.Requests + fx.Blocked.Requests);
    }

    [Fact]
    public async Task Unrestricted_usermode_gets_its_own_slirp_interface_and_slirp_dns_but_never_the_host_loopback()
    {
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.UserMode, SandboxNetworkFixture.Unrestricted());
        var before = fx.Allowed.Requests;

        var (interfaces, _) = await sandbox.RunAsync(Tools.Bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '"));
        var (route, _) = await sandbox.RunAsync(Tools.Bash("awk '$2 == \"00000000\" {print $1, $3}' /proc/net/route"));
        var (resolv, _) = await sandbox.RunAsync(Tools.Bash("cat /etc/resolv.conf"));
        var (gateway, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://10.0.2.2:{fx.Allowed.Port}/")));
        var (loopback, _) = await sandbox.RunAsync(Tools.Bash(Curl($"http://127.0.0.1:{fx.Allowed.Port}/")));
        var (env, _) = await sandbox.RunAsync(Tools.Bash("env | grep -i _proxy || echo no-proxy-env"));

        Assert.Equal("lo tap0", interfaces.Trim());
        Assert.Equal("tap0 0202000A", route); // default route via 10.0.2.2 (little-endian hex)
        Assert.Equal("nameserver 10.0.2.3", resolv);
        Assert.Contains("rc=7", gateway); // --disable-host-loopback
        Assert.Contains("rc=7", loopback); // its own loopback, not the host's
        Assert.Equal("no-proxy-env", env);
        Assert.Equal(before, fx.Allowed.Requests);
        Assert.DoesNotContain("hello from allowed", gateway + loopback);
    }

    [Fact]
    public async Task Releasing_a_usermode_unrestricted_sandbox_stops_its_slirp4netns()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var sandbox = await fx.UserMode.AcquireAsync(
            new("wrk_test", sessionId, new() { ["type"] = "cloud", ["networking"] = SandboxNetworkFixture.Unrestricted() }), CancellationToken.None);
        var (text, _) = await sandbox.RunAsync(Tools.Bash("grep -c tap0 /proc/net/dev"));
        Assert.Equal("1", text);
        Assert.NotEmpty(SlirpProcesses());

        await fx.UserMode.ReleaseAsync(sessionId, CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (SlirpProcesses().Any(TargetGone) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        // No slirp4netns outlives the sandbox it served (others' sandboxes are still alive here).
        Assert.DoesNotContain(SlirpProcesses(), TargetGone);
    }

    private static List<int> SlirpProcesses() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => Cmdline(pid).StartsWith("/usr/bin/slirp4netns", StringComparison.Ordinal))];

    /// <summary>A slirp4netns whose sandbox (the pid in its /proc/&lt;pid&gt;/ns/net argument) has exited.</summary>
    private static bool TargetGone(int pid)
    {
        var target = Cmdline(pid).Split(' ').FirstOrDefault(a => a.EndsWith("/ns/net", StringComparison.Ordinal));
        return target is not null && !File.Exists(target);
    }

    private static string Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
