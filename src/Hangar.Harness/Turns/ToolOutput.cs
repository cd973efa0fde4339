using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Harness.Turns;

/// <summary>
/// Keeps tool output the model sees under the limit, by <see cref="ToolOutputSpill"/>'s policy: a longer text is
/// saved whole to <c>.hangar/tool-output/&lt;event id&gt;.txt</c> in the sandbox (through its write tool) and
/// replaced by its head, its tail and a line naming the file. Output a sandbox already shortened is under the
/// limit and untouched.
/// </summary>
public static class ToolOutput
{
    public static async Task<ToolResult> LimitAsync(ToolResult result, string toolUseId, int limit, ISandbox sandbox, CancellationToken ct)
    {
        if (!ToolOutputSpill.Exceeds(result, limit))
        {
            return result;
        }
        var text = ToolOutputSpill.TextOf(result);
        var path = ToolOutputSpill.RelativePath(toolUseId);
        var saved = await sandbox.ExecuteAsync(
            new ToolCall("write", new JsonObject { ["file_path"] = path, ["content"] = text }, toolUseId + "-output"), ct);
        var where = saved.IsError
            ? "the full output could not be saved"
            : ToolOutputSpill.SavedTo($"{WorkspacePaths.SandboxRoot}/{path}", text.Length);
        return ToolOutputSpill.Preview(text, result.IsError, limit, where);
    }
}
