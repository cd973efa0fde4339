namespace Hangar.Tools;

/// <summary>
/// read{file_path, view_range?}: a UTF-8 regular file's text, whole or the 1-based inclusive line
/// range <c>[start, end]</c> (end ≤ 0 means to the end of the file). Files over 256 KiB are refused.
/// </summary>
internal static class ReadTool
{
    public static async Task<ToolResult> RunAsync(WorkspacePaths paths, ToolInput input, CancellationToken ct)
    {
        var hostPath = paths.Resolve(input.RequiredString("file_path"));
        var range = input.OptionalIntegerArray("view_range", 2);
        var text = await TextFile.ReadAsync(paths, hostPath, ct);
        if (range is null)
            return ToolResult.Text(text.Length == 0 ? "(empty file)" : text);

        var (start, end) = (range[0], range[1]);
        if (start < 1)
            throw new ToolInputException("read: view_range start must be ≥ 1 (lines are 1-based)");
        if (end > 0 && end < start)
            throw new ToolInputException("read: view_range end must be ≥ start, or ≤ 0 for end of file");
        var lines = SplitLines(text);
        if (start > lines.Count)
            throw new ToolInputException($"read: view_range start {start} is past the end of the file ({lines.Count} lines)");
        var last = end <= 0 ? lines.Count : (int)Math.Min(end, lines.Count);
        return ToolResult.Text(string.Join('\n', lines.GetRange((int)start - 1, last - (int)start + 1)));
    }

    /// <summary>Lines without terminators; a final newline does not start an extra empty line.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0 && text.Length > 0)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
