namespace Hangar.Architecture.Tests;

/// <summary>
/// Configuration enters at the composition root (the command line, src/Hangar.Cli): the layers below take
/// options objects, so a test or an embedding host decides every value and nothing changes with the ambient
/// environment of whoever happens to run the code.
/// </summary>
public sealed class CompositionRootTests
{
    /// <summary>Files below the command line that still read the process environment, each with why.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        // Locating host programs (bwrap, socat, slirp4netns) on the PATH the operator started Hangar with.
        ["Hangar.Sandbox/Bubblewrap/HostProgram.cs"] = "PATH lookup",
        // The operator's proxy variables (only those) handed to apt in a package layer build.
        ["Hangar.Sandbox/Packages/BuildProcess.cs"] = "http(s)_proxy for apt",
        // Its default variable source; the server and the command line pass their own (issue 16 moves the key handling).
        ["Hangar.Vault/SecretCipher.cs"] = "master key variables",
    };

    [Fact]
    public void Only_the_command_line_reads_environment_variables()
    {
        var src = Path.Join(DependencyTests.RepositoryRoot(), "src");
        var readers = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.StartsWith(Path.Join(src, "Hangar.Cli") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Environment.GetEnvironmentVariable", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(src, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), readers);
    }
}
