using System.Text;

namespace Hangar.Tools;

/// <summary>
/// edit{file_path, old_string, new_string, replace_all?}: exact (ordinal) string replacement. No match
/// is an error; several matches are an error unless replace_all, so an edit never lands somewhere the
/// model did not mean. Same 256 KiB cap as read.
/// </summary>
internal static class EditTool
{
    private static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<ToolResult> RunAsync(WorkspacePaths paths, ToolInput input, CancellationToken ct)
    {
        var hostPath = paths.ResolveForWrite(input.RequiredString("file_path"));
        var oldString = input.RequiredString("old_string");
        var newString = input.RequiredString("new_string");
        var replaceAll = input.OptionalBool("replace_all");
        if (oldString.Length == 0)
            throw new ToolInputException("edit: old_string must not be empty (use write to create a file)");
        if (oldString == newString)
            throw new ToolInputException("edit: old_string and new_string are identical; nothing to change");

        var shown = paths.ToSandboxPath(hostPath);
        var text = await TextFile.ReadAsync(paths, hostPath, ct);
        var matches = CountOccurrences(text, oldString);
        if (matches == 0)
            throw new ToolInputException($"edit: old_string was not found in {shown} (it must match exactly, including whitespace)");
        if (matches > 1 && !replaceAll)
            throw new ToolInputException(
                $"edit: old_string occurs {matches} times in {shown}; include more surrounding context to make it unique, or set replace_all to true");

        var updated = replaceAll
            ? text.Replace(oldString, newString, StringComparison.Ordinal)
            : ReplaceFirst(text, oldString, newString);
        await File.WriteAllBytesAsync(hostPath, NoBom.GetBytes(updated), ct);
        return ToolResult.Text(matches == 1
            ? $"Replaced 1 occurrence in {shown}"
            : $"Replaced {matches} occurrences in {shown}");
    }

    /// <summary>Non-overlapping ordinal matches, the same ones Replace would touch.</summary>
    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static string ReplaceFirst(string text, string oldString, string newString)
    {
        var at = text.IndexOf(oldString, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, at), newString, text.AsSpan(at + oldString.Length));
    }
}
