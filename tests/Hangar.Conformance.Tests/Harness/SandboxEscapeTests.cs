using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using static Hangar.Conformance.Tests.Harness.SandboxedHangar;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>What a session's own bash tool must not reach, and limits that stop only the offending sandbox.</summary>
[Collection(SandboxedHangarCollection.Name)]
public sealed class SandboxEscapeTests(SandboxedHangar hangar)
{
    [Fact]
    public async Task Host_secrets_home_processes_environment_and_other_sessions_are_out_of_reach()
    {
        var ct = Timeouts.Test(180);
        const string OtherSecret = "other-session-secret-91c2";
        var (other, _) = await hangar.RunToolsAsync(ct, Bash($"echo {OtherSecret} > secret.txt"));
        var otherWorkspace = Path.Join(hangar.SandboxDirectory(other), "workspace");
        Assert.Equal(OtherSecret, File.ReadAllText(Path.Join(otherWorkspace, "secret.txt")).TrimEnd()); // it is there, on the host

        var (_, results) = await hangar.RunToolsAsync(ct,
            Bash("cat /etc/shadow"),
            Bash("ls -a /root"),
            Bash("tr '\\0' '\\n' < /proc/1/environ"),
            Bash("env"),
            Bash($"cat {otherWorkspace}/secret.txt; ls {Path.GetDirectoryName(Path.GetDirectoryName(otherWorkspace))}; cat /workspace/../{other}/workspace/secret.txt"),
            FakeReply.ToolUse("read", new { file_path = $"{otherWorkspace}/secret.txt" }),
            // Every writable or mounted place; /usr (host binaries, read-only, gigabytes) took minutes on a loaded machine.
            Bash($"grep -rs {OtherSecret} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr | head -1; echo searched", timeoutMs: 120_000),
            Bash("ls /proc | grep -cE '^[0-9]+$'"),
            Bash("touch /usr/x /etc/x /x 2>&1; echo done"));

        Assert.True(results[0].IsError, Text(results[0]));
        Assert.DoesNotContain("root:", Text(results[0]));
        Assert.True(results[1].IsError, Text(results[1]));
        Assert.DoesNotContain(HostSecretName, Text(results[2]));
        Assert.DoesNotContain(HostSecretValue, Text(results[2]));
        Assert.DoesNotContain("ANTHROPIC", Text(results[2]));
        Assert.NotEqual(true, results[3].IsError);
        Assert.Contains("HOME=/workspace", Text(results[3])); // env ran and printed the sandbox's own environment
        Assert.DoesNotContain(HostSecretName, Text(results[3]));
        Assert.DoesNotContain(HostSecretValue, Text(results[3]));
        Assert.True(results[4].IsError, Text(results[4]));
        Assert.DoesNotContain(OtherSecret, Text(results[4]));
        Assert.True(results[5].IsError, Text(results[5]));
        Assert.DoesNotContain(OtherSecret, Text(results[5]));
        Assert.Equal("searched", Text(results[6]).Trim());
        Assert.InRange(int.Parse(Text(results[7]).Trim(), System.Globalization.CultureInfo.InvariantCulture), 1, 10); // its own processes only
        Assert.Equal(3, Text(results[8]).Split("Read-only file system").Length - 1);
    }

    [Fact]
    public async Task A_fork_bomb_or_memory_hog_gets_an_error_result_and_the_next_bash_call_works()
    {
        var ct = Timeouts.Test();
        var (_, results) = await hangar.RunToolsAsync(ct,
            Bash("echo kept > before.txt"),
            Bash("bomb() { bomb | bomb & }; bomb; sleep 20; echo survived", timeoutMs: 60_000),
            Bash("cat before.txt"),
            Bash("x=$(head -c 400000000 /dev/zero | tr '\\0' a); echo survived", timeoutMs: 60_000),
            Bash("cat before.txt; ls /proc | grep -cE '^[0-9]+$'"));

        Assert.True(results[1].IsError, Text(results[1]));
        Assert.Contains("too many processes", Text(results[1]));
        Assert.DoesNotContain("survived", Text(results[1]));
        Assert.NotEqual(true, results[2].IsError);
        Assert.Equal("kept", Text(results[2]).TrimEnd());
        Assert.True(results[3].IsError, Text(results[3]));
        Assert.Contains("out of memory", Text(results[3]));
        Assert.DoesNotContain("survived", Text(results[3]));
        Assert.NotEqual(true, results[4].IsError);
        var lines = Text(results[4]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kept", lines[0]);
        Assert.InRange(int.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), 1, 10);
    }
}
