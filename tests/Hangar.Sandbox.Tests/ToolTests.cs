using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests;

/// <summary>Every built-in tool through the provider, and what the host sees of its effects.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ToolTests(SandboxFixture fixture)
{
    [Fact]
    public async Task File_tools_work_inside_the_sandbox_as_the_sandbox_user()
    {
        var sandbox = (Bubblewrap.BubblewrapSandbox)await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var write = await sandbox.RunAsync(Tools.Call("write", new JsonObject { ["file_path"] = "src/app.py", ["content"] = "print('hello')\nx = 1\n" }));
        Assert.False(write.IsError, write.Text);
        var read = await sandbox.RunAsync(Tools.Call("read", new JsonObject { ["file_path"] = "/workspace/src/app.py", ["view_range"] = new JsonArray(2, 2) }));
        Assert.Equal(("x = 1", false), read);
        var edit = await sandbox.RunAsync(Tools.Call("edit", new JsonObject { ["file_path"] = "src/app.py", ["old_string"] = "hello", ["new_string"] = "sandbox" }));
        Assert.False(edit.IsError, edit.Text);
        var glob = await sandbox.RunAsync(Tools.Call("glob", new JsonObject { ["pattern"] = "**/*.py" }));
        Assert.Contains("src/app.py", glob.Text);
        var grep = await sandbox.RunAsync(Tools.Call("grep", new JsonObject { ["pattern"] = "sand.ox" }));
        Assert.Equal(("src/app.py:1:print('sandbox')", false), grep);
        var bash = await sandbox.RunAsync(Tools.Bash("stat -c '%u %a' src/app.py; cat src/app.py"));
        Assert.Equal("1000 644\nprint('sandbox')\nx = 1", bash.Text);
        // On the host the file belongs to the session's unprivileged uid, not root.
        var hostFile = Path.Join(sandbox.HostWorkspace, "src", "app.py");
        Assert.Equal(sandbox.HostUid, GetOwner(hostFile));
        var missing = await sandbox.RunAsync(Tools.Call("read", new JsonObject { ["file_path"] = "nope.txt" }));
        Assert.True(missing.IsError);
        var unknown = await sandbox.RunAsync(Tools.Call("web_search", new JsonObject()));
        Assert.True(unknown.IsError);
    }

    [Fact]
    public async Task Bash_state_persists_and_exit_codes_and_timeouts_are_reported()
    {
        var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        await sandbox.RunAsync(Tools.Bash("mkdir -p d && cd d && export FOO=bar"));
        Assert.Equal(("/workspace/d bar", false), await sandbox.RunAsync(Tools.Bash("echo $PWD $FOO")));
        var failed = await sandbox.RunAsync(Tools.Bash("echo oops; exit_code() { return 3; }; exit_code"));
        Assert.True(failed.IsError);
        Assert.Contains("[exit code 3]", failed.Text);
        var slow = await sandbox.RunAsync(Tools.Bash("sleep 30", timeoutMs: 500));
        Assert.True(slow.IsError);
        Assert.Contains("timed out", slow.Text);
        Assert.Equal(("/workspace", false), await sandbox.RunAsync(Tools.Bash("pwd")));
    }

    [Fact]
    public async Task Long_output_is_spilled_into_the_workspace()
    {
        var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var call = Tools.Bash("for i in $(seq 1 1500); do printf '%080d\\n' $i; done");
        var (text, _) = await sandbox.RunAsync(call);
        Assert.Contains($"/workspace/{ToolOutputSpill.Directory}/{call.IdempotencyKey}.txt", text);
        var (ls, _) = await sandbox.RunAsync(Tools.Bash($"stat -c %u {ToolOutputSpill.Directory}/{call.IdempotencyKey}.txt"));
        Assert.Equal("1000", ls);
    }

    private static int GetOwner(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        return int.Parse(p.StandardOutput.ReadToEnd().Trim());
    }
}
