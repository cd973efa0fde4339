using System.Text.Json.Nodes;

namespace Hangar.Tools.Tests;

/// <summary>A real local sandbox over a fresh temporary directory, deleted afterwards.</summary>
public abstract class SandboxTest : IAsyncLifetime
{
    private int calls;

    protected SandboxTest()
    {
        Root = Directory.CreateTempSubdirectory("hangar-tools-").FullName;
        Sandbox = new LocalWorkspaceSandbox(Root);
    }

    protected string Root { get; }

    protected LocalWorkspaceSandbox Sandbox { get; }

    protected async Task<(string Text, bool IsError)> Run(string tool, string inputJson, CancellationToken ct = default)
    {
        var input = JsonNode.Parse(inputJson)!.AsObject();
        var result = await Sandbox.ExecuteAsync(new ToolCall(tool, input, $"sevt_test{Interlocked.Increment(ref calls)}"), ct);
        var text = string.Concat(result.Content.Select(b => b!["text"]!.GetValue<string>()));
        return (text, result.IsError);
    }

    protected static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    protected string HostPath(string relative) => Path.Join(Root, relative);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
