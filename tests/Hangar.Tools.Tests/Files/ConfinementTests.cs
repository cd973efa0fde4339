namespace Hangar.Tools.Tests.Files;

/// <summary>File tools must never touch anything outside the workspace root.</summary>
public sealed class ConfinementTests : SandboxTest
{
    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/workspace/../outside.txt")]
    [InlineData("a/../../outside.txt")]
    [InlineData("/tmp/outside.txt")]
    [InlineData("/etc/passwd")]
    public async Task Paths_outside_the_workspace_are_refused_for_read_and_write(string path)
    {
        var write = await Run("write", Json(new { file_path = path, content = "escaped" }));
        Assert.True(write.IsError);
        Assert.Contains("outside the workspace", write.Text);
        Assert.False(File.Exists(Path.Join(Path.GetDirectoryName(Root), "outside.txt")));

        var read = await Run("read", Json(new { file_path = path }));
        Assert.True(read.IsError);
        Assert.Contains("outside the workspace", read.Text);
    }

    [Fact]
    public async Task A_symlink_to_etc_inside_the_workspace_is_refused_for_read_write_and_edit()
    {
        Directory.CreateSymbolicLink(HostPath("etc"), "/etc");
        File.CreateSymbolicLink(HostPath("passwd"), "/etc/passwd");

        foreach (var path in new[] { "etc/passwd", "passwd", "/workspace/etc/hostname" })
        {
            var read = await Run("read", Json(new { file_path = path }));
            Assert.True(read.IsError, path);
            Assert.Contains("outside the workspace", read.Text);
            var write = await Run("write", Json(new { file_path = path, content = "x" }));
            Assert.True(write.IsError, path);
            var edit = await Run("edit", Json(new { file_path = path, old_string = "root", new_string = "toor" }));
            Assert.True(edit.IsError, path);
        }
        Assert.True((await Run("write", Json(new { file_path = "etc/new-file", content = "x" }))).IsError);
    }

    [Fact]
    public async Task A_symlink_within_the_workspace_is_followed()
    {
        Directory.CreateDirectory(HostPath("real"));
        File.WriteAllText(HostPath("real/f.txt"), "inside");
        Directory.CreateSymbolicLink(HostPath("alias"), HostPath("real"));
        Assert.Equal(("inside", false), await Run("read", Json(new { file_path = "alias/f.txt" })));
    }

    [Fact]
    public async Task The_hosts_view_of_the_root_is_accepted()
    {
        File.WriteAllText(HostPath("f.txt"), "host path");
        Assert.Equal(("host path", false), await Run("read", Json(new { file_path = Path.Join(Sandbox.RootDirectory, "f.txt") })));
    }

    [Fact]
    public async Task Glob_and_grep_stay_inside()
    {
        Directory.CreateSymbolicLink(HostPath("etc"), "/etc");
        Assert.True((await Run("glob", """{"pattern":"../*"}""")).IsError);
        Assert.True((await Run("glob", """{"pattern":"/etc/*"}""")).IsError);
        Assert.True((await Run("glob", """{"pattern":"*","path":"/etc"}""")).IsError);
        Assert.True((await Run("grep", """{"pattern":"root","path":"etc"}""")).IsError);
        // The walk does not descend into the symlinked directory either.
        Assert.Equal(("No matches found", false), await Run("grep", """{"pattern":"root"}"""));
        Assert.Equal(("No files matched", false), await Run("glob", """{"pattern":"**/passwd"}"""));
    }
}
