using Hangar.Sandbox.Bubblewrap;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests;

/// <summary>Reading a session's outputs on the host: links are never followed, limits hold.</summary>
public sealed class OutputsReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hangar-outputs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Regular_files_are_read_and_links_and_oversized_files_are_not()
    {
        var outside = Path.Join(Directory.CreateTempSubdirectory("hangar-outside-").FullName, "secret.txt");
        File.WriteAllText(outside, "host secret");
        Directory.CreateDirectory(Path.Join(_root, "sub"));
        File.WriteAllText(Path.Join(_root, "sub", "a.txt"), "alpha");
        File.WriteAllBytes(Path.Join(_root, "big.bin"), new byte[101]);
        File.CreateSymbolicLink(Path.Join(_root, "link.txt"), outside);
        Directory.CreateSymbolicLink(Path.Join(_root, "dirlink"), Path.GetDirectoryName(outside)!);

        var outputs = OutputsReader.Read(_root, new OutputLimits(MaxFileBytes: 100, MaxSessionBytes: 1000, MaxFiles: 10)).ToList();

        var read = Assert.Single(outputs, o => o.Bytes is not null);
        Assert.Equal("sub/a.txt", read.Path);
        Assert.Equal("alpha"u8.ToArray(), read.Bytes);
        Assert.Contains(outputs, o => o.Path == "big.bin" && o.Skipped!.Contains("100"));
        Assert.DoesNotContain(outputs, o => o.Bytes is { } b && System.Text.Encoding.UTF8.GetString(b).Contains("host secret"));
    }

    [Fact]
    public void The_session_total_and_file_count_are_capped()
    {
        for (var i = 0; i < 5; i++)
        {
            File.WriteAllBytes(Path.Join(_root, $"f{i}.bin"), new byte[40]);
        }

        var outputs = OutputsReader.Read(_root, new OutputLimits(MaxFileBytes: 100, MaxSessionBytes: 100, MaxFiles: 10)).ToList();

        Assert.Equal(2, outputs.Count(o => o.Bytes is not null));
        Assert.Equal(3, outputs.Count(o => o.Skipped is not null));
    }
}
