namespace Hangar.Tools;

/// <summary>
/// The file tools (read, write, edit, glob, grep) over one workspace root. They touch only paths
/// that resolve inside it (see <see cref="WorkspacePaths"/>), so any sandbox can reuse them against
/// its own root directory.
/// </summary>
public sealed class FileTools(WorkspacePaths paths, string? ripgrep)
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string> { "read", "write", "edit", "glob", "grep" };

    /// <summary>ripgrep on the clean PATH, looked up once; grep falls back to a regex walk without it.</summary>
    public static readonly string? InstalledRipgrep = CleanEnvironment.FindExecutable("rg");

    public FileTools(WorkspacePaths paths)
        : this(paths, InstalledRipgrep)
    {
    }

    public WorkspacePaths Paths => paths;

    /// <summary>
    /// Runs one file tool; refusals throw <see cref="ToolInputException"/>. A write that fills the disk answers
    /// with <see cref="ToolErrors.DiskFull"/>: the model reads what happened and how to recover.
    /// </summary>
    public async Task<ToolResult> ExecuteAsync(string name, ToolInput input, CancellationToken ct)
    {
        try
        {
            return await RunAsync(name, input, ct);
        }
        catch (IOException e) when (ToolErrors.IsDiskFull(e))
        {
            return ToolResult.Text($"{name}: {ToolErrors.DiskFull(ToolErrors.FileSystemBytes(paths.HostRoot))}", isError: true);
        }
    }

    private Task<ToolResult> RunAsync(string name, ToolInput input, CancellationToken ct) => name switch
    {
        "read" => ReadTool.RunAsync(paths, input, ct),
        "write" => WriteTool.RunAsync(paths, input, ct),
        "edit" => EditTool.RunAsync(paths, input, ct),
        "glob" => GlobTool.RunAsync(paths, input, ct),
        "grep" => GrepTool.RunAsync(paths, input, ripgrep, ct),
        _ => throw new ToolInputException($"unknown file tool '{name}'"),
    };

}
