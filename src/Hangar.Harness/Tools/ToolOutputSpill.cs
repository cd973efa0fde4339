using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Harness.Tools;

/// <summary>
/// Keeps tool results within <see cref="ToolLimits.MaxResultChars"/>: a longer result's full text is
/// written to <c>.hangar/tool-output/&lt;idempotency key&gt;.txt</c> in the workspace, and the model
/// gets the head, the tail and the path, so it can read or grep the rest. Keyed by the tool_use
/// event id, a re-run after a crash overwrites the same file.
/// </summary>
public static class ToolOutputSpill
{
    public const string Directory = ".hangar/tool-output";
    private const int KeepChars = 40_000;

    public static async Task<ToolResult> ApplyAsync(ToolResult result, WorkspacePaths paths, string idempotencyKey, CancellationToken ct)
    {
        var text = string.Concat(result.Content.Select(block => block?["text"]?.GetValue<string>() ?? ""));
        if (text.Length <= ToolLimits.MaxResultChars)
            return result;

        var fileName = SafeName(idempotencyKey) + ".txt";
        var hostDirectory = Path.Join(paths.HostRoot, Directory);
        System.IO.Directory.CreateDirectory(hostDirectory);
        var hostFile = Path.Join(hostDirectory, fileName);
        await File.WriteAllTextAsync(hostFile, text, new UTF8Encoding(false), ct);

        var omitted = text.Length - 2 * KeepChars;
        var summary = new StringBuilder()
            .Append(text.AsSpan(0, KeepChars))
            .Append($"\n\n[... {omitted} characters omitted; full output ({text.Length} characters) saved to {paths.ToSandboxPath(hostFile)} ...]\n\n")
            .Append(text.AsSpan(text.Length - KeepChars))
            .ToString();
        return new ToolResult([new JsonObject { ["type"] = "text", ["text"] = summary }], result.IsError);
    }

    private static string SafeName(string key)
    {
        var safe = new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return safe.Length == 0 ? "tool_output" : safe;
    }
}
