using System.Text;
using System.Text.Json.Nodes;
using Hangar.Tools;

// One request per stdin line, one response per stdout line (compact JSON):
//   {"name":"read|write|edit|glob|grep","input":{...},"key":"<idempotency key>"}
//   {"name":"spill","result":{"content":[...],"is_error":b},"key":"..."}   (a bash result to spill)
// → {"content":[...],"is_error":b}
// Runs as the sandbox user inside the sandbox, where /workspace is the workspace and the host's
// files do not exist, so a symlink made by the model can only lead to what the model can read anyway.
var paths = new WorkspacePaths(WorkspacePaths.SandboxRoot);
var files = new FileTools(paths);
var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };

while (await stdin.ReadLineAsync() is { } line)
{
    ToolResult result;
    string key = "tool_output";
    try
    {
        var request = JsonNode.Parse(line)!.AsObject();
        var name = request["name"]!.GetValue<string>();
        key = request["key"]?.GetValue<string>() ?? key;
        result = name == "spill"
            ? new ToolResult(request["result"]!["content"]!.AsArray().DeepClone().AsArray(), request["result"]!["is_error"]!.GetValue<bool>())
            : await RunAsync(name, request["input"] as JsonObject ?? []);
        result = await ToolOutputSpill.ApplyAsync(result, paths, key, CancellationToken.None);
    }
    catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
    {
        result = ToolResult.Text($"tool runner: bad request: {e.Message}", isError: true);
    }
    await stdout.WriteLineAsync(new JsonObject { ["content"] = result.Content, ["is_error"] = result.IsError }.ToJsonString());
}

Task<ToolResult> RunAsync(string name, JsonObject input) =>
    ToolErrors.CatchAsync(name, () => files.ExecuteAsync(name, new ToolInput(name, input), CancellationToken.None));
