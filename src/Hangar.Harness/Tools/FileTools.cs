namespace Hangar.Harness.Tools;

/// <summary>
/// The file tools (read, write, edit, glob, grep) over one workspace root. They touch only paths
/// that resolve inside it (see <see cref="WorkspacePaths"/>), so any sandbox can reuse them against
/// its own root directory.
/// </summary>
public sealed class FileTools(WorkspacePaths paths)
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string> { "read", "write", "edit", "glob", "grep" };

    // Looked up once: ripgrep is optional and grep falls back to a regex walk without it.
    private static readonly string? Ripgrep = CleanEnvironment.FindExecutable("rg");

    public WorkspacePaths Paths => paths;

    /// <summary>Runs one file tool; refusals throw <see cref="ToolInputException"/>.</summary>
    public Task<ToolResult> ExecuteAsync(string name, ToolInput input, CancellationToken ct) => name switch
    {
        "read" => ReadTool.RunAsync(paths, input, ct),
        "write" => WriteTool.RunAsync(paths, input, ct),
        "edit" => EditTool.RunAsync(paths, input, ct),
        "glob" => GlobTool.RunAsync(paths, input, ct),
        "grep" => GrepTool.RunAsync(paths, input, Ripgrep, ct),
        _ => throw new ToolInputException($"unknown file tool '{name}'"),
    };

    /// <summary>grep without ripgrep, for tests of the fallback on hosts that have rg.</summary>
    internal Task<ToolResult> GrepWithoutRipgrepAsync(ToolInput input, CancellationToken ct) =>
        GrepTool.RunAsync(paths, input, null, ct);
}
