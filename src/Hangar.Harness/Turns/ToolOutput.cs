using System.Text.Json.Nodes;
using Hangar.Harness.Tools;

namespace Hangar.Harness.Turns;

/// <summary>
/// Keeps tool output the model sees under the limit: a longer text is saved whole to
/// <c>.hangar/tool-output/&lt;event id&gt;.txt</c> (workspace-relative) in the sandbox and replaced by its head, its tail
/// and a line naming the file. Output a sandbox already shortened is under the limit and untouched.
/// </summary>
public static class ToolOutput
{
    public static async Task<ToolResult> LimitAsync(ToolResult result, string toolUseId, int limit, ISandbox sandbox, CancellationToken ct)
    {
        var text = string.Concat(result.Content.OfType<JsonObject>().Select(b => (string?)b["text"] ?? ""));
        if (text.Length <= limit)
        {
            return result;
        }
        var path = $".hangar/tool-output/{toolUseId}.txt";
        var saved = await sandbox.ExecuteAsync(
            new ToolCall("write", new JsonObject { ["file_path"] = path, ["content"] = text }, toolUseId + "-output"), ct);
        var part = (limit - 200) / 2;
        var note = saved.IsError
            ? $"\n\n[... {text.Length - (2 * part)} characters omitted; the full output could not be saved ...]\n\n"
            : $"\n\n[... {text.Length - (2 * part)} characters omitted; the full output ({text.Length} characters) is in {path} ...]\n\n";
        return ToolResult.Text(text[..part] + note + text[^part..], result.IsError);
    }
}
