namespace Hangar.Cli.Tests;

/// <summary>A fresh directory under the temp path, removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hangar-test-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed server may still hold a file for a moment; a stray temp dir is harmless.
        }
    }
}
