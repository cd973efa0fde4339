using System.Text.Json.Nodes;

namespace Hangar.Tools.Tests.Files;

public sealed class SearchToolTests : SandboxTest
{
    private void Touch(string relative, string content, int minutesAgo)
    {
        var path = HostPath(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
    }

    [Fact]
    public async Task Glob_lists_matches_newest_first_as_workspace_paths()
    {
        Touch("old.cs", "", 30);
        Touch("src/new.cs", "", 1);
        Touch("src/deep/mid.cs", "", 10);
        Touch("notes.md", "", 0);

        Assert.Equal(("/workspace/src/new.cs\n/workspace/src/deep/mid.cs\n/workspace/old.cs", false),
            await Run("glob", """{"pattern":"**/*.cs"}"""));
        Assert.Equal(("/workspace/old.cs", false), await Run("glob", """{"pattern":"*.cs"}"""));
        Assert.Equal(("/workspace/src/deep/mid.cs", false), await Run("glob", """{"pattern":"*.cs","path":"/workspace/src/deep"}"""));
        Assert.Equal(("/workspace/notes.md\n/workspace/old.cs", false), await Run("glob", """{"pattern":"{*.md,old.?s}"}"""));
        Assert.Equal(("No files matched", false), await Run("glob", """{"pattern":"*.py"}"""));
    }

    [Fact]
    public async Task Glob_returns_at_most_200_and_says_so()
    {
        for (var i = 0; i < 250; i++)
            Touch($"many/f{i:D3}.txt", "", i);
        var (text, isError) = await Run("glob", """{"pattern":"many/*.txt"}""");
        Assert.False(isError);
        var lines = text.Split('\n');
        Assert.Equal(201, lines.Length);
        Assert.Equal("/workspace/many/f000.txt", lines[0]);
        Assert.Equal("/workspace/many/f199.txt", lines[199]);
        Assert.Contains("200 of 250", lines[200]);
    }

    /// <summary>grep through the regex walk and, when installed, through ripgrep: same observable output.</summary>
    private async Task<List<(string Text, bool IsError)>> Grep(string inputJson)
    {
        var implementations = new List<string?> { null };
        if (FileTools.InstalledRipgrep is not null)
            implementations.Add(FileTools.InstalledRipgrep);
        var results = new List<(string, bool)>();
        foreach (var ripgrep in implementations)
        {
            var tools = new FileTools(new WorkspacePaths(Root), ripgrep);
            var input = new ToolInput("grep", JsonNode.Parse(inputJson)!.AsObject());
            try
            {
                var result = await tools.ExecuteAsync("grep", input, CancellationToken.None);
                results.Add((result.Content[0]!["text"]!.GetValue<string>(), result.IsError));
            }
            catch (ToolInputException e)
            {
                results.Add((e.Message, true));
            }
        }
        return results;
    }

    [Fact]
    public async Task Grep_prints_path_line_and_text_and_skips_binary_files()
    {
        Touch("a.txt", "one\nTODO: two\nthree\n", 0);
        Touch("src/b.cs", "// TODO fix\n", 0);
        File.WriteAllBytes(HostPath("blob.bin"), [.. "TODO"u8, 0, 1, 2]);

        foreach (var (text, isError) in await Grep("""{"pattern":"TODO"}"""))
        {
            Assert.False(isError);
            Assert.Equal(["a.txt:2:TODO: two", "src/b.cs:1:// TODO fix"], text.Split('\n').Order(StringComparer.Ordinal));
        }
        Assert.All(await Grep("""{"pattern":"TO+DO\\s+fix","path":"src"}"""), r => Assert.Equal(("src/b.cs:1:// TODO fix", false), r));
        Assert.All(await Grep("""{"pattern":"two","path":"/workspace/a.txt"}"""), r => Assert.Equal(("a.txt:2:TODO: two", false), r));
        Assert.All(await Grep("""{"pattern":"absent"}"""), r => Assert.Equal(("No matches found", false), r));
        Assert.All(await Grep("""{"pattern":"(unclosed"}"""), r => Assert.True(r.IsError));
    }

    [Fact]
    public async Task Grep_output_is_capped_at_100_KiB()
    {
        Touch("big.txt", string.Concat(Enumerable.Repeat(new string('m', 100) + "\n", 3000)), 0);
        foreach (var (text, isError) in await Grep("""{"pattern":"m"}"""))
        {
            Assert.False(isError);
            Assert.EndsWith("[output truncated]", text);
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= 100 * 1024 + 20);
        }
    }
}
