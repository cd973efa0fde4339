namespace Hangar.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class SmokeTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Bash_runs_as_sandbox_user_in_workspace()
    {
        var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var (text, isError) = await sandbox.RunAsync(Tools.Bash("id -u; pwd; hostname"));
        Assert.False(isError, text);
        Assert.Equal("1000\n/workspace\nsandbox", text);
    }
}
