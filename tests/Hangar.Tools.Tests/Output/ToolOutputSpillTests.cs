using System.Text.RegularExpressions;

namespace Hangar.Tools.Tests.Output;

public sealed class ToolOutputSpillTests
{
    [Fact]
    public void A_preview_keeps_two_fifths_of_the_limit_at_each_end_and_says_what_was_left_out()
    {
        var text = new string('h', 500) + new string('m', 1000) + new string('t', 500);
        var preview = ToolOutputSpill.Preview(text, isError: true, limit: 1000, "full output saved to /workspace/x.txt");

        Assert.True(preview.IsError);
        var shown = ToolOutputSpill.TextOf(preview);
        Assert.StartsWith(new string('h', 400) + "\n\n[... 1200 characters omitted; full output saved to /workspace/x.txt ...]\n\n", shown);
        Assert.EndsWith("\n\n" + new string('t', 400), shown);
        Assert.True(shown.Length < 1000, $"{shown.Length} characters");
    }

    [Fact]
    public async Task A_result_within_the_limit_is_returned_as_is_and_nothing_is_written()
    {
        var root = Directory.CreateTempSubdirectory("hangar-spill-").FullName;
        try
        {
            var result = ToolResult.Text(new string('a', ToolLimits.MaxResultChars));
            Assert.Same(result, await ToolOutputSpill.ApplyAsync(result, new WorkspacePaths(root), "sevt_1", CancellationToken.None));
            Assert.False(Directory.Exists(Path.Join(root, ToolOutputSpill.Directory)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_longer_result_is_saved_whole_under_its_key_and_the_preview_names_the_file()
    {
        var root = Directory.CreateTempSubdirectory("hangar-spill-").FullName;
        try
        {
            var text = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{i}\n"));
            var result = await ToolOutputSpill.ApplyAsync(ToolResult.Text(text), new WorkspacePaths(root), "sevt_2", CancellationToken.None);

            Assert.Equal(text, File.ReadAllText(Path.Join(root, ".hangar/tool-output/sevt_2.txt")));
            var shown = ToolOutputSpill.TextOf(result);
            Assert.Contains($"full output ({text.Length} characters) saved to /workspace/.hangar/tool-output/sevt_2.txt", shown);
            Assert.EndsWith("29999\n", shown);
            Assert.False(ToolOutputSpill.Exceeds(result));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("sevt_01ABC", ".hangar/tool-output/sevt_01ABC.txt")]
    [InlineData("../../etc/passwd", ".hangar/tool-output/______etc_passwd.txt")]
    [InlineData("", ".hangar/tool-output/tool_output.txt")]
    public void The_file_name_is_the_key_with_anything_but_letters_digits_dash_and_underscore_replaced(string key, string path)
    {
        Assert.Equal(path, ToolOutputSpill.RelativePath(key));
    }

    [Fact]
    public async Task Refusals_and_io_failures_become_error_results_and_anything_else_propagates()
    {
        var refused = await ToolErrors.CatchAsync("read", () => throw new ToolInputException("read: no such file"));
        Assert.Equal(("read: no such file", true), (ToolOutputSpill.TextOf(refused), refused.IsError));

        var io = await ToolErrors.CatchAsync("write", () => throw new IOException("disk full"));
        Assert.Equal(("write: disk full", true), (ToolOutputSpill.TextOf(io), io.IsError));

        var timeout = await ToolErrors.CatchAsync("grep", () => throw new RegexMatchTimeoutException("(a+)+", "aaa", TimeSpan.FromSeconds(2)));
        Assert.StartsWith("grep: ", ToolOutputSpill.TextOf(timeout));

        await Assert.ThrowsAsync<SandboxGoneException>(() => ToolErrors.CatchAsync("bash", () => throw new SandboxGoneException("gone")));
        await Assert.ThrowsAsync<OperationCanceledException>(() => ToolErrors.CatchAsync("bash", () => throw new OperationCanceledException()));
    }
}
