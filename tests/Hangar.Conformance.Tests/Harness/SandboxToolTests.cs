using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using static Hangar.Conformance.Tests.Harness.SandboxedHangar;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>Every built-in tool through a real session (official SDK, fake model) in a bubblewrap sandbox.</summary>
[Collection(SandboxedHangarCollection.Name)]
public sealed class SandboxToolTests(SandboxedHangar hangar)
{
    [Fact]
    public async Task Bash_keeps_the_working_directory_and_environment_across_calls()
    {
        var ct = Timeouts.Test();
        var (_, results) = await hangar.RunToolsAsync(ct,
            Bash("mkdir -p /workspace/sub && cd /workspace/sub && export GREETING=hello-sandbox"),
            Bash("pwd; echo \"$GREETING\"; id -u; hostname"),
            Bash("exit 3"));

        Assert.NotEqual(true, results[0].IsError);
        Assert.NotEqual(true, results[1].IsError);
        Assert.Equal(["/workspace/sub", "hello-sandbox", "1000", "sandbox"], Text(results[1]).Split('\n', StringSplitOptions.RemoveEmptyEntries)[..4]);
        Assert.True(results[2].IsError, Text(results[2]));
        Assert.Contains("3", Text(results[2]));
    }

    [Fact]
    public async Task The_file_tools_write_read_edit_glob_and_grep_the_sandbox_workspace()
    {
        var ct = Timeouts.Test();
        var (sessionId, results) = await hangar.RunToolsAsync(ct,
            FakeReply.ToolUse("write", new { file_path = "notes/a.txt", content = "alpha\nbeta\ngamma\nbeta\n" }),
            FakeReply.ToolUse("read", new { file_path = "/workspace/notes/a.txt", view_range = new[] { 2, 3 } }),
            FakeReply.ToolUse("edit", new { file_path = "notes/a.txt", old_string = "gamma", new_string = "delta" }),
            FakeReply.ToolUse("edit", new { file_path = "notes/a.txt", old_string = "beta", new_string = "BETA" }),
            FakeReply.ToolUse("edit", new { file_path = "notes/a.txt", old_string = "beta", new_string = "BETA", replace_all = true }),
            FakeReply.ToolUse("read", new { file_path = "notes/a.txt" }),
            FakeReply.ToolUse("glob", new { pattern = "**/*.txt" }),
            FakeReply.ToolUse("grep", new { pattern = "^BE" }),
            Bash("stat -c '%u %n' notes/a.txt; cat notes/a.txt"));

        Assert.All(results.Where((_, i) => i != 3), r => Assert.NotEqual(true, r.IsError));
        Assert.Equal("beta\ngamma", Text(results[1]));
        Assert.Contains("Replaced 1 occurrence", Text(results[2]));
        Assert.True(results[3].IsError, Text(results[3]));
        Assert.Contains("occurs 2 times", Text(results[3]));
        Assert.Contains("Replaced 2 occurrences", Text(results[4]));
        Assert.Equal("alpha\nBETA\ndelta\nBETA\n", Text(results[5]));
        Assert.Contains("notes/a.txt", Text(results[6]));
        Assert.Contains("a.txt:2:BETA", Text(results[7]));
        Assert.Contains("a.txt:4:BETA", Text(results[7]));
        // The files the tools made are the shell's files, owned by the sandbox user, in the session's workspace.
        Assert.Equal("1000 notes/a.txt\nalpha\nBETA\ndelta\nBETA", Text(results[8]).TrimEnd());
        Assert.Equal("alpha\nBETA\ndelta\nBETA\n", File.ReadAllText(Path.Join(hangar.SandboxDirectory(sessionId), "workspace", "notes", "a.txt")));
    }
}
