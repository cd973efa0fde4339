namespace Hangar.Tools;

/// <summary>
/// The environment tool processes start with: a fixed minimal set, never inherited from the host, so
/// no ANTHROPIC_*, HANGAR_* or other host secret reaches a command the model wrote.
/// </summary>
public static class CleanEnvironment
{
    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static IReadOnlyDictionary<string, string> For(string home) => new Dictionary<string, string>
    {
        ["PATH"] = Path,
        ["HOME"] = home,
        ["LANG"] = "C.UTF-8",
    };

    /// <summary>Replaces <paramref name="environment"/> (a ProcessStartInfo's) with the clean set.</summary>
    public static void Apply(IDictionary<string, string?> environment, string home)
    {
        environment.Clear();
        foreach (var (name, value) in For(home))
            environment[name] = value;
    }

    /// <summary>An executable on the clean PATH, or null (e.g. ripgrep, which is optional).</summary>
    public static string? FindExecutable(string name) =>
        Path.Split(':')
            .Select(directory => System.IO.Path.Join(directory, name))
            .FirstOrDefault(File.Exists);
}
