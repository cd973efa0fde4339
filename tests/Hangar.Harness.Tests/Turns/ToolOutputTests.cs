using Hangar.Harness.Turns;
using Hangar.Tools;

namespace Hangar.Harness.Tests.Turns;

/// <summary>The harness's check for sandboxes that return output over the limit: the same spill policy, saved through the sandbox.</summary>
public sealed class ToolOutputTests : IAsyncLifetime
{
    private readonly string root;
    private readonly LocalWorkspaceSandbox sandbox;

    public ToolOutputTests()
    {
        root = Directory.CreateTempSubdirectory("hangar-tool-output-").FullName;
        sandbox = new LocalWorkspaceSandbox(root);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await sandbox.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Output_over_the_limit_is_saved_in_the_sandbox_and_replaced_by_head_and_tail()
    {
        var text = new string('a', 600) + new string('z', 600);
        var limited = await ToolOutput.LimitAsync(ToolResult.Text(text, isError: true), "sevt_big", 1000, sandbox, CancellationToken.None);

        Assert.Equal(text, File.ReadAllText(Path.Join(root, ".hangar/tool-output/sevt_big.txt")));
        Assert.True(limited.IsError);
        Assert.Equal(
            new string('a', 400) + "\n\n[... 400 characters omitted; full output (1200 characters) saved to /workspace/.hangar/tool-output/sevt_big.txt ...]\n\n" + new string('z', 400),
            ToolOutputSpill.TextOf(limited));
    }

    [Fact]
    public async Task Output_within_the_limit_is_untouched()
    {
        var result = ToolResult.Text(new string('a', 1000));
        Assert.Same(result, await ToolOutput.LimitAsync(result, "sevt_small", 1000, sandbox, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Join(root, ".hangar")));
    }

    [Fact]
    public async Task When_the_sandbox_cannot_save_the_output_the_preview_says_so()
    {
        File.WriteAllText(Path.Join(root, ".hangar"), "a file where the directory should be");
        var limited = await ToolOutput.LimitAsync(ToolResult.Text(new string('a', 2000)), "sevt_unsaved", 1000, sandbox, CancellationToken.None);

        Assert.Contains("[... 1200 characters omitted; the full output could not be saved ...]", ToolOutputSpill.TextOf(limited));
    }
}
