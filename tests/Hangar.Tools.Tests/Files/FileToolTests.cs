namespace Hangar.Tools.Tests.Files;

public sealed class FileToolTests : SandboxTest
{
    [Fact]
    public async Task Write_creates_parent_directories_and_read_returns_the_content()
    {
        var write = await Run("write", Json(new { file_path = "/workspace/a/b/c.txt", content = "héllo\nworld\n" }));
        Assert.False(write.IsError, write.Text);
        Assert.Equal("héllo\nworld\n", File.ReadAllText(HostPath("a/b/c.txt")));

        var read = await Run("read", Json(new { file_path = "a/b/c.txt" }));
        Assert.Equal(("héllo\nworld\n", false), read);
    }

    [Fact]
    public async Task Write_overwrites()
    {
        File.WriteAllText(HostPath("f.txt"), "old content that is longer");
        await Run("write", Json(new { file_path = "f.txt", content = "new" }));
        Assert.Equal("new", File.ReadAllText(HostPath("f.txt")));
    }

    [Fact]
    public async Task Read_view_range_is_one_based_inclusive_and_end_zero_means_eof()
    {
        File.WriteAllText(HostPath("n.txt"), "1\n2\n3\n4\n5\n");
        Assert.Equal(("2\n3", false), await Run("read", """{"file_path":"n.txt","view_range":[2,3]}"""));
        Assert.Equal(("4\n5", false), await Run("read", """{"file_path":"n.txt","view_range":[4,0]}"""));
        Assert.Equal(("5", false), await Run("read", """{"file_path":"n.txt","view_range":[5,-1]}"""));
        Assert.True((await Run("read", """{"file_path":"n.txt","view_range":[9,10]}""")).IsError);
        Assert.True((await Run("read", """{"file_path":"n.txt","view_range":[0,2]}""")).IsError);
        Assert.True((await Run("read", """{"file_path":"n.txt","view_range":[3]}""")).IsError);
    }

    [Fact]
    public async Task Read_refuses_files_over_256_KiB_suggesting_head_and_tail()
    {
        File.WriteAllText(HostPath("big.txt"), new string('x', 256 * 1024 + 1));
        File.WriteAllText(HostPath("edge.txt"), new string('x', 256 * 1024));
        var big = await Run("read", """{"file_path":"big.txt"}""");
        Assert.True(big.IsError);
        Assert.Contains("head", big.Text);
        Assert.Contains("tail", big.Text);
        Assert.False((await Run("read", """{"file_path":"edge.txt"}""")).IsError);
    }

    [Fact]
    public async Task Read_refuses_binary_directories_and_missing_files()
    {
        File.WriteAllBytes(HostPath("bin"), [0xff, 0xfe, 0x00, 0xc3]);
        Directory.CreateDirectory(HostPath("dir"));
        Assert.Contains("UTF-8", (await Run("read", """{"file_path":"bin"}""")).Text);
        Assert.Contains("directory", (await Run("read", """{"file_path":"dir"}""")).Text);
        var missing = await Run("read", """{"file_path":"/workspace/nope.txt"}""");
        Assert.True(missing.IsError);
        Assert.Contains("/workspace/nope.txt does not exist", missing.Text);
    }

    [Fact]
    public async Task Edit_replaces_exactly_one_match()
    {
        File.WriteAllText(HostPath("e.txt"), "alpha beta gamma");
        var edit = await Run("edit", Json(new { file_path = "e.txt", old_string = "beta", new_string = "BETA" }));
        Assert.False(edit.IsError, edit.Text);
        Assert.Equal("alpha BETA gamma", File.ReadAllText(HostPath("e.txt")));
    }

    [Fact]
    public async Task Edit_with_no_match_is_an_error_and_leaves_the_file()
    {
        File.WriteAllText(HostPath("e.txt"), "alpha beta");
        var edit = await Run("edit", Json(new { file_path = "e.txt", old_string = "Beta", new_string = "x" }));
        Assert.True(edit.IsError);
        Assert.Contains("not found", edit.Text);
        Assert.Equal("alpha beta", File.ReadAllText(HostPath("e.txt")));
    }

    [Fact]
    public async Task Edit_with_many_matches_needs_replace_all()
    {
        File.WriteAllText(HostPath("e.txt"), "a-a-a");
        var refused = await Run("edit", Json(new { file_path = "e.txt", old_string = "a", new_string = "b" }));
        Assert.True(refused.IsError);
        Assert.Contains("3 times", refused.Text);
        Assert.Equal("a-a-a", File.ReadAllText(HostPath("e.txt")));

        var all = await Run("edit", Json(new { file_path = "e.txt", old_string = "a", new_string = "b", replace_all = true }));
        Assert.False(all.IsError, all.Text);
        Assert.Equal("b-b-b", File.ReadAllText(HostPath("e.txt")));
    }

    [Fact]
    public async Task Edit_refuses_files_over_256_KiB()
    {
        File.WriteAllText(HostPath("big.txt"), "needle" + new string('x', 256 * 1024));
        var edit = await Run("edit", Json(new { file_path = "big.txt", old_string = "needle", new_string = "pin" }));
        Assert.True(edit.IsError);
        Assert.StartsWith("needle", File.ReadAllText(HostPath("big.txt")));
    }

    [Theory]
    [InlineData("read", """{"file_path":42}""", "file_path")]
    [InlineData("read", """{}""", "file_path")]
    [InlineData("write", """{"file_path":"x"}""", "content")]
    [InlineData("edit", """{"file_path":"x","old_string":"a","new_string":"b","replace_all":"yes"}""", "replace_all")]
    [InlineData("glob", """{"path":"."}""", "pattern")]
    [InlineData("bash", """{"command":"true","timeout_ms":"soon"}""", "timeout_ms")]
    [InlineData("bash", """{}""", "command")]
    public async Task Bad_input_is_an_error_result_naming_the_field(string tool, string input, string field)
    {
        var result = await Run(tool, input);
        Assert.True(result.IsError);
        Assert.Contains(field, result.Text);
    }

    [Fact]
    public async Task Unknown_tool_is_an_error_result()
    {
        var result = await Run("web_fetch", """{"url":"https://example.com"}""");
        Assert.True(result.IsError);
        Assert.Contains("web_fetch", result.Text);
    }
}
