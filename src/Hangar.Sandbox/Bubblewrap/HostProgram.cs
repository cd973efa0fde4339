using System.Runtime.Versioning;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// A program Hangar runs, checked twice: on the host PATH (what the operator's <c>command -v</c> sees, so an
/// install or a PATH change shows up as expected) and at <paramref name="RunsAt"/>, the path Hangar actually
/// runs. Inside a sandbox (<paramref name="InSandbox"/>) that is <c>/usr/bin/…</c>: sandboxes see only the host's
/// /usr, with /usr/local hidden, so a copy in /usr/local/bin or a home directory does not count.
/// </summary>
internal sealed record HostProgram(string Program, string RunsAt, bool InSandbox, HostNeed Need, string UsedFor, string Fix)
{
    /// <summary>A program run by bare name inside sandboxes (their PATH is /usr/bin:/bin, both the host's /usr/bin).</summary>
    public static HostProgram Sandboxed(string program, HostNeed need, string usedFor, string fix) =>
        new(program, "/usr/bin/" + program, InSandbox: true, need, usedFor, fix);

    [SupportedOSPlatform("linux")]
    public HostRequirement Check()
    {
        var found = Find(Program);
        var (status, detail) = found switch
        {
            null => (HostStatus.Missing, "not found on PATH"),
            _ when !IsExecutable(RunsAt) => (HostStatus.Missing, InSandbox
                ? $"found at {found}, but sandboxes see only the host's /usr and run {RunsAt}"
                : $"found at {found}, but Hangar runs {RunsAt}"),
            _ => (HostStatus.Ok, RunsAt),
        };
        return new HostRequirement(Program, Need, status, UsedFor, detail, Fix);
    }

    /// <summary>The first executable <paramref name="program"/> in the directories of PATH, like <c>command -v</c>.</summary>
    [SupportedOSPlatform("linux")]
    public static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Join(directory, program))
            .FirstOrDefault(IsExecutable);
    }

    [SupportedOSPlatform("linux")]
    private static bool IsExecutable(string file)
    {
        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return File.Exists(file) && (File.GetUnixFileMode(file) & AnyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
