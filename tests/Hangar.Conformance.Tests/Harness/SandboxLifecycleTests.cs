using Anthropic;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using static Hangar.Conformance.Tests.Harness.SandboxedHangar;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>When a session's bubblewrap sandbox exists, what it holds, and when it goes away.</summary>
[Collection(SandboxedHangarCollection.Name)]
public sealed class SandboxLifecycleTests(SandboxedHangar hangar)
{
    [Fact]
    public async Task A_turn_without_tools_never_creates_a_sandbox_and_the_first_tool_call_does()
    {
        var ct = Timeouts.Test();
        var client = hangar.Client();
        var script = hangar.Scripts.New().Then(FakeReply.Text("no tools needed"), Bash("echo now-sandboxed"), FakeReply.Text("done"));
        var session = await client.SessionAsync(script, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("hello"));
        await client.WaitForIdleAsync(session.ID, ct);

        Assert.Single(script.Requests); // the model was asked, and answered, with no sandbox anywhere
        Assert.False(Directory.Exists(hangar.SandboxDirectory(session.ID)), "a turn without tools created a sandbox directory");
        Assert.Empty(SandboxProcesses(session.ID));

        await client.SendAsync(session.ID, ct, Turns.Message("now use a tool"));
        var events = await client.WaitForIdleAsync(session.ID, ct, idles: 2);
        Assert.Contains("now-sandboxed", Text(Turns.All<Anthropic.Models.Beta.Sessions.Events.BetaManagedAgentsAgentToolResultEvent>(events).Single()));
        Assert.True(Directory.Exists(Path.Join(hangar.SandboxDirectory(session.ID), "workspace")));
        // Settled: the harness released the sandbox, and that stopped it for real (no bwrap left behind).
        await Until(() => SandboxProcesses(session.ID).Count == 0, ct);
    }

    [Fact]
    public async Task A_file_resource_is_readable_at_its_mount_paths_but_not_writable_and_outputs_is_writable()
    {
        var ct = Timeouts.Test();
        var client = hangar.Client();
        var file = await FileTests.UploadAsync(client, "id,value\n1,forty-two\n"u8.ToArray(), "data.csv", "text/csv", ct);
        var uploads = $"/mnt/session/uploads/{file.ID}";

        var (_, results) = await hangar.RunToolsAsync(ct, (c, script) => SessionWithFileAsync(c, script, file.ID, ct),
            Bash($"cat {uploads}"),
            Bash("cat /workspace/data/in.csv"),
            Bash($"echo overwrite > {uploads}"),
            Bash($"rm -f {uploads} /workspace/data/in.csv; cat {uploads} /workspace/data/in.csv | wc -l"),
            Bash("echo result > /mnt/session/outputs/out.txt && cat /mnt/session/outputs/out.txt"));

        Assert.Equal("id,value\n1,forty-two", Text(results[0]).TrimEnd());
        Assert.Equal("id,value\n1,forty-two", Text(results[1]).TrimEnd());
        Assert.True(results[2].IsError, Text(results[2]));
        Assert.Contains("Read-only file system", Text(results[2]));
        Assert.Contains("4", Text(results[3])); // both still there, whole
        Assert.NotEqual(true, results[4].IsError);
        Assert.Equal("result", Text(results[4]).TrimEnd());
    }

    [Fact]
    public async Task Deleting_a_session_removes_its_workspace()
    {
        var ct = Timeouts.Test();
        var client = hangar.Client();
        var (sessionId, results) = await hangar.RunToolsAsync(ct, Bash("echo keep > kept.txt && cat kept.txt"));
        Assert.Equal("keep", Text(results[0]).TrimEnd());
        var workspace = Path.Join(hangar.SandboxDirectory(sessionId), "workspace");
        Assert.True(File.Exists(Path.Join(workspace, "kept.txt")));

        // Archived: the workspace stays (a sweep passes meanwhile).
        await client.Beta.Sessions.Archive(sessionId, cancellationToken: ct);
        await Task.Delay(600, ct);
        Assert.True(File.Exists(Path.Join(workspace, "kept.txt")));

        await client.Beta.Sessions.Delete(sessionId, cancellationToken: ct);
        await Until(() => !Directory.Exists(hangar.SandboxDirectory(sessionId)), ct);
        Assert.Empty(SandboxProcesses(sessionId));
    }

    private static async Task<string> SessionWithFileAsync(AnthropicClient client, ModelScript script, string fileId, CancellationToken ct)
    {
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams { Name = Arrange.Name("agent"), Model = BetaManagedAgentsModel.ClaudeSonnet4_6, System = script.SystemPrompt, Tools = [Turns.Toolset()] },
            ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams
            {
                Agent = agent.ID,
                EnvironmentID = environment.ID,
                Resources =
                [
                    new BetaManagedAgentsFileResourceParams { FileID = fileId },
                    new BetaManagedAgentsFileResourceParams { FileID = fileId, MountPath = "/workspace/data/in.csv" },
                ],
            },
            ct);
        session.Validate();
        return session.ID;
    }

    /// <summary>Processes whose command line names the session's sandbox directory (its bwrap, shell, runner).</summary>
    internal static List<int> SandboxProcesses(string sessionId)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Join(directory, "cmdline")).Contains($"/sandboxes/{sessionId}/", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
        }
        return found;
    }

    private static async Task Until(Func<bool> condition, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(100, limit.Token);
        }
    }
}
