using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// The syscall filter inside a real sandbox: calls that widen the kernel surface fail with EPERM (a clean error,
/// not a kill), while the shell, file tools and ordinary programs keep working.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SeccompTests(SandboxFixture fixture)
{
    private static readonly bool Arm = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    private Task<ISandbox> NewSandboxAsync() =>
        fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);

    /// <summary>perl's syscall(2) by number (string arguments as assignments: perl passes only variables' buffers); prints "rc:errno-text".</summary>
    private static string RawSyscall(int x8664, int aarch64, string args = "0, 0, 0, 0, 0") =>
        $"perl -e '$r = syscall({(Arm ? aarch64 : x8664)}, {args}); print \"$r:$!\\n\"'";

    [Fact]
    public async Task New_user_namespaces_are_refused_with_eperm()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash("unshare -U true; echo rc=$?"));
        Assert.Contains("Operation not permitted", text);
        Assert.Contains("rc=1", text);
    }

    [Fact]
    public async Task Ptrace_is_refused_with_eperm()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash("strace -f true 2>&1; echo rc=$?"));
        Assert.Contains("Operation not permitted", text);
        Assert.DoesNotContain("rc=0", text);
        // PTRACE_TRACEME straight through syscall(2): the filter, not strace, refuses it.
        Assert.Contains("-1:Operation not permitted", (await sandbox.RunAsync(Tools.Bash(RawSyscall(101, 117)))).Text);
    }

    [Theory]
    [InlineData("keyctl(KEYCTL_GET_KEYRING_ID, session)", 250, 219, "0, -3, 0, 0, 0")]
    [InlineData("add_key", 248, 217, "$t = \"user\", $d = \"k\", $v = \"v\", 1, -3")]
    [InlineData("bpf", 321, 280, "0, 0, 0, 0, 0")]
    [InlineData("userfaultfd", 323, 282, "0, 0, 0, 0, 0")]
    [InlineData("perf_event_open", 298, 241, "0, 0, -1, -1, 0")]
    [InlineData("mount tmpfs", 165, 40, "$s = \"none\", $t = \"/tmp\", $f = \"tmpfs\", 0, 0")]
    [InlineData("setns", 308, 268, "0, 0, 0, 0, 0")]
    [InlineData("init_module", 175, 105, "0, 0, 0, 0, 0")]
    [InlineData("reboot", 169, 142, "0, 0, 0, 0, 0")]
    public async Task Denied_calls_fail_with_eperm(string call, int x8664, int aarch64, string args)
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash(RawSyscall(x8664, aarch64, args)));
        Assert.True(text.Contains("-1:Operation not permitted", StringComparison.Ordinal), $"{call}: {text}");
    }

    [Fact]
    public async Task Disabling_address_randomisation_is_refused_but_querying_the_personality_works()
    {
        var sandbox = await NewSandboxAsync();
        var (text, _) = await sandbox.RunAsync(Tools.Bash("setarch -R true; echo rc=$?"));
        Assert.Contains("Operation not permitted", text);
        // personality(0xffffffff) only asks; PER_LINUX (0) is what a process already has.
        Assert.Contains("0:", (await sandbox.RunAsync(Tools.Bash(RawSyscall(135, 92, "0xffffffff")))).Text);
    }

    [Fact]
    public async Task Ordinary_programs_threads_and_file_tools_still_work()
    {
        var sandbox = await NewSandboxAsync();
        var script = "echo hi > a.txt && cat a.txt && ls /usr/bin | grep -c . >/dev/null && (sleep 0.1 & wait) && "
            + "python3 -c 'import threading; t = threading.Thread(target=print, args=(\"thread\",)); t.start(); t.join()' && "
            + "git init -q repo && tar czf a.tgz a.txt && echo done";
        var (text, isError) = await sandbox.RunAsync(Tools.Bash(script));
        Assert.False(isError, text);
        Assert.Contains("thread", text);
        Assert.EndsWith("done", text.Trim());
        // The file-tool runner is .NET (threads through clone3 → ENOSYS → clone): it must keep working.
        var write = await sandbox.RunAsync(Tools.Call("write", new JsonObject { ["file_path"] = "/workspace/b.txt", ["content"] = "from the runner" }));
        Assert.False(write.IsError, write.Text);
        Assert.Contains("from the runner", (await sandbox.RunAsync(Tools.Call("read", new JsonObject { ["file_path"] = "/workspace/b.txt" }))).Text);
    }
}
