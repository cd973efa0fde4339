using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Tools;

/// <summary>
/// The one policy for tool output over the limit (behaviour.md §4): the full text is saved to
/// <c>.hangar/tool-output/&lt;idempotency key&gt;.txt</c> in the workspace and the model gets a preview, the
/// first and last <see cref="KeptChars"/> characters around a line saying how much was left out and where
/// it is. Keyed by the tool_use event id, a re-run after a crash overwrites the same file.
/// Every place that shortens output uses it: the sandboxes (<see cref="ApplyAsync"/>, run where the
/// workspace is, so the file belongs to the sandbox user), the harness's check for sandboxes that did not
/// (it saves through the sandbox's write tool) and MCP results (host side: nothing to save to).
/// </summary>
public static class ToolOutputSpill
{
    public const string Directory = ".hangar/tool-output";

    /// <summary>
    /// Each end of the preview keeps 2/5 of the limit (40 000 of 100 000 characters): the preview stays well
    /// under the limit, so a result a sandbox already shortened is never shortened again by the harness,
    /// and the model sees both how the output began and how it ended (where errors usually are).
    /// </summary>
    public static int KeptChars(int limit) => limit * 2 / 5;

    /// <summary>The workspace-relative file a call's full output is saved to.</summary>
    public static string RelativePath(string idempotencyKey) => $"{Directory}/{SafeName(idempotencyKey)}.txt";

    /// <summary>All text blocks of a result, concatenated: what the limit is measured on.</summary>
    public static string TextOf(ToolResult result) =>
        string.Concat(result.Content.Select(block => (block as JsonObject)?["text"]?.GetValue<string>() ?? ""));

    /// <summary>Whether <paramref name="result"/> is over <paramref name="limit"/> characters and must be shortened.</summary>
    public static bool Exceeds(ToolResult result, int limit = ToolLimits.MaxResultChars) =>
        result.Content.Sum(block => (block as JsonObject)?["text"]?.GetValue<string>().Length ?? 0) > limit;

    /// <summary>
    /// The preview of <paramref name="text"/> (over <paramref name="limit"/>): its head and tail around
    /// <c>[... N characters omitted; <paramref name="whereTheRestIs"/> ...]</c>.
    /// </summary>
    public static ToolResult Preview(string text, bool isError, int limit, string whereTheRestIs)
    {
        var kept = KeptChars(limit);
        var preview = new StringBuilder()
            .Append(text.AsSpan(0, kept))
            .Append($"\n\n[... {text.Length - (2 * kept)} characters omitted; {whereTheRestIs} ...]\n\n")
            .Append(text.AsSpan(text.Length - kept))
            .ToString();
        return ToolResult.Text(preview, isError);
    }

    /// <summary>Where the preview says the full output is, once saved at <paramref name="sandboxPath"/>.</summary>
    public static string SavedTo(string sandboxPath, int totalChars) => $"full output ({totalChars} characters) saved to {sandboxPath}";

    /// <summary>
    /// Spills <paramref name="result"/> when it is over <see cref="ToolLimits.MaxResultChars"/>, writing the file
    /// under <paramref name="paths"/>' root directly (run this where the workspace is: in the sandbox).
    /// </summary>
    public static async Task<ToolResult> ApplyAsync(ToolResult result, WorkspacePaths paths, string idempotencyKey, CancellationToken ct)
    {
        if (!Exceeds(result))
            return result;
        var text = TextOf(result);
        var hostFile = Path.Join(paths.HostRoot, RelativePath(idempotencyKey));
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(hostFile)!);
        await File.WriteAllTextAsync(hostFile, text, new UTF8Encoding(false), ct);
        return Preview(text, result.IsError, ToolLimits.MaxResultChars, SavedTo(paths.ToSandboxPath(hostFile), text.Length));
    }

    private static string SafeName(string key)
    {
        var safe = new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return safe.Length == 0 ? "tool_output" : safe;
    }
}
