using System.Diagnostics;

namespace Hangar.Tools.Tests.Shell;

public sealed class BashToolTests : SandboxTest
{
    private Task<(string Text, bool IsError)> Bash(string command, int? timeoutMs = null, CancellationToken ct = default) =>
        Run("bash", Json(timeoutMs is null ? new { command } : (object)new { command, timeout_ms = timeoutMs }), ct);

    [Fact]
    public async Task Cwd_and_exported_variables_persist_between_calls()
    {
        Directory.CreateDirectory(HostPath("sub"));
        Assert.Equal(("(no output)", false), await Bash("cd sub && export GREETING=hi"));
        Assert.Equal((Path.Join(Sandbox.RootDirectory, "sub"), false), await Bash("pwd"));
        Assert.Equal(("hi", false), await Bash("echo $GREETING"));
    }

    [Fact]
    public async Task Stdout_and_stderr_are_merged_and_ansi_is_stripped()
    {
        Assert.Equal(("out\nerr\nred", false), await Bash("echo out; echo err >&2; printf '\\033[31mred\\033[0m\\n'"));
    }

    [Fact]
    public async Task Stdin_is_dev_null()
    {
        Assert.Equal(("[]", false), await Bash("echo \"[$(cat)]\""));
    }

    [Fact]
    public async Task Non_zero_exit_is_an_error_with_output_and_exit_code()
    {
        var (text, isError) = await Bash("echo partial; exit_with() { return $1; }; exit_with 3");
        Assert.True(isError);
        Assert.Contains("partial", text);
        Assert.Contains("exit code 3", text);
        Assert.Equal(("still alive", false), await Bash("echo still alive"));
    }

    [Fact]
    public async Task Syntax_errors_and_quotes_do_not_break_the_shell()
    {
        var broken = await Bash("echo \"unterminated");
        Assert.True(broken.IsError);
        Assert.Equal(("it's fine", false), await Bash("echo \"it's fine\""));
    }

    [Fact]
    public async Task Exit_ends_the_shell_and_the_next_call_starts_fresh()
    {
        await Bash("export MARK=1");
        var exited = await Bash("exit 4");
        Assert.True(exited.IsError);
        Assert.Contains("4", exited.Text);
        Assert.Equal(("[]", false), await Bash("echo \"[$MARK]\""));
    }

    [Fact]
    public async Task Timeout_kills_the_shell_and_the_next_call_works()
    {
        await Bash("export MARK=1");
        var watch = Stopwatch.StartNew();
        var timedOut = await Bash("echo started; sleep 30", timeoutMs: 500);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(timedOut.IsError);
        Assert.Contains("started", timedOut.Text);
        Assert.Contains("timed out after 500 ms", timedOut.Text);
        Assert.Equal(("[]", false), await Bash("echo \"[$MARK]\""));
    }

    [Fact]
    public async Task Restart_gives_a_fresh_shell()
    {
        await Bash("export MARK=1; cd /");
        Assert.Equal(("Shell restarted", false), await Run("bash", """{"restart":true}"""));
        Assert.Equal(($"[]{Sandbox.RootDirectory}", false), await Bash("echo \"[$MARK]\"$(pwd)"));
    }

    [Fact]
    public async Task Output_is_tail_truncated_to_100_KiB()
    {
        var (text, isError) = await Bash("seq 1 100000");
        Assert.False(isError);
        Assert.StartsWith("[output truncated]\n", text);
        Assert.EndsWith("99999\n100000", text);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= 100 * 1024 + 20);
    }

    [Fact]
    public async Task Environment_is_clean_of_host_variables()
    {
        Environment.SetEnvironmentVariable("HANGAR_TEST_SECRET", "hunter2");
        try
        {
            var (text, _) = await Bash("env");
            Assert.DoesNotContain("hunter2", text);
            Assert.DoesNotContain("HANGAR_TEST_SECRET", text);
            Assert.Contains($"HOME={Sandbox.RootDirectory}", text);
            Assert.Contains("LANG=C.UTF-8", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HANGAR_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task Cancellation_kills_a_running_command_within_a_second()
    {
        var pidFile = HostPath("sleep.pid");
        using var cts = new CancellationTokenSource();
        var running = Bash($"sleep 30 & echo $! > {pidFile}; wait", ct: cts.Token);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
            await Task.Delay(20);
        var sleepPid = int.Parse(File.ReadAllText(pidFile).Trim());

        var watch = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        while (IsAlive(sleepPid) && watch.Elapsed < TimeSpan.FromSeconds(1))
            await Task.Delay(20);
        Assert.False(IsAlive(sleepPid), "sleep 30 survived the interrupt");
        Assert.Equal(("after", false), await Bash("echo after"));
    }

    [Fact]
    public async Task Large_output_is_spilled_to_a_workspace_file_with_head_and_tail()
    {
        var (text, _) = await Bash("head -c 101000 /dev/zero | tr '\\0' 'a'; echo; echo THE-END");
        Assert.Contains("/workspace/.hangar/tool-output/sevt_test1.txt", text);
        Assert.EndsWith("THE-END", text);
        Assert.True(text.Length < 100_000);
        var full = File.ReadAllText(HostPath(".hangar/tool-output/sevt_test1.txt"));
        Assert.Equal(101000 + "\nTHE-END".Length, full.Length);
    }

    /// <summary>Alive and not a zombie (a killed child of an exited shell lingers until reaped).</summary>
    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return false;
        try
        {
            var fields = File.ReadAllText(stat);
            return fields[(fields.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
