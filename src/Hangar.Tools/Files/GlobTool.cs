namespace Hangar.Tools;

/// <summary>
/// glob{pattern, path?}: files under path (default the workspace) whose relative path matches the
/// pattern, newest first by modification time, at most 200. Patterns may not be absolute or climb
/// out with <c>..</c>: the search stays inside the workspace.
/// </summary>
internal static class GlobTool
{
    public const int MaxResults = 200;

    public static Task<ToolResult> RunAsync(WorkspacePaths paths, ToolInput input, CancellationToken ct)
    {
        var pattern = input.RequiredString("pattern");
        if (pattern.Length == 0)
            throw new ToolInputException("glob: pattern must not be empty");
        if (pattern.StartsWith('/'))
            throw new ToolInputException("glob: pattern must be relative; put the directory in 'path' instead");
        if (pattern.Split('/').Contains(".."))
            throw new ToolInputException("glob: pattern must not contain '..' segments");
        var baseDirectory = paths.Resolve(input.OptionalString("path") ?? WorkspacePaths.SandboxRoot);
        if (!Directory.Exists(baseDirectory))
            throw new ToolInputException($"glob: {paths.ToSandboxPath(baseDirectory)} is not a directory");

        var matcher = GlobPattern.Compile(pattern.StartsWith("./", StringComparison.Ordinal) ? pattern[2..] : pattern);
        var walk = new WorkspaceWalk(baseDirectory);
        var matches = walk.Files(ct)
            .Where(f => matcher.IsMatch(Path.GetRelativePath(baseDirectory, f.FullName)))
            .ToList();
        if (matches.Count == 0)
            return Task.FromResult(ToolResult.Text(walk.Truncated
                ? $"No files matched (search stopped after {WorkspaceWalk.MaxEntries} entries)"
                : "No files matched"));

        var lines = matches
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.FullName, StringComparer.Ordinal)
            .Take(MaxResults)
            .Select(f => paths.ToSandboxPath(f.FullName))
            .ToList();
        if (matches.Count > MaxResults)
            lines.Add($"(showing {MaxResults} of {matches.Count} matches, newest first; narrow the pattern to see the rest)");
        if (walk.Truncated)
            lines.Add($"(search stopped after {WorkspaceWalk.MaxEntries} entries; results may be incomplete)");
        return Task.FromResult(ToolResult.Text(string.Join('\n', lines)));
    }
}
