using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// Permission policy <c>auto</c>: the server classifies each call. A read-only command runs, a
/// destructive one is denied (<c>high_risk</c>, the model gets the denial as an error) and
/// anything else waits for the user (<c>indeterminate</c>), as docs/harness.md lists.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class AutoPermissionTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Auto_runs_a_read_only_command_and_refuses_a_destructive_one_without_asking(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("bash", new { command = "ls -la" }),
            FakeReply.ToolUse("bash", new { command = "rm -rf /" }),
            FakeReply.ToolUse("write", new { file_path = "made.txt", content = "x" }),
            FakeReply.Text("ok"));
        Tool auto = new BetaManagedAgentsAgentToolset20260401Params
        {
            DefaultConfig = new BetaManagedAgentsAgentToolsetDefaultConfigParams { PermissionPolicy = new BetaManagedAgentsAutoPolicy() },
        };
        var session = await client.SessionAsync(script, ct, auto);

        await client.SendAsync(session.ID, ct, Turns.Message("look around"));
        var waiting = await client.WaitForIdleAsync(session.ID, ct);

        var uses = Turns.All<BetaManagedAgentsAgentToolUseEvent>(waiting).ToList();
        Assert.Equal(3, uses.Count);
        Assert.Equal("allow", uses[0].EvaluatedPermission!.Raw());
        Assert.Equal("allow", Verdict(uses[0]).GetProperty("type").GetString());
        Assert.Equal("deny", uses[1].EvaluatedPermission!.Raw());
        Assert.Equal("high_risk", Verdict(uses[1]).GetProperty("reason_code").GetString());
        Assert.Equal("ask", uses[2].EvaluatedPermission!.Raw());
        Assert.Equal("indeterminate", Verdict(uses[2]).GetProperty("reason_code").GetString());

        var results = Turns.All<BetaManagedAgentsAgentToolResultEvent>(waiting).ToList();
        Assert.Equal(2, results.Count);
        Assert.NotEqual(true, results[0].IsError);
        Assert.True(results[1].IsError);
        var denial = script.Requests[2].Messages[^1]!["content"]![0]!;
        Assert.Equal(uses[1].ID, (string?)denial["tool_use_id"]);
        Assert.Contains("Permission to use bash has been denied.", denial.ToJsonString());
        Assert.True(Turns.LastStop(waiting).TryPickBetaManagedAgentsSessionRequiresAction(out var action), $"stop {Turns.LastStop(waiting).Json}");
        Assert.Equal([uses[2].ID], action.EventIds);
        Assert.False(File.Exists(Path.Combine(hangar.Workspaces, session.ID, "made.txt")), "an undetermined write ran before it was confirmed");
    }

    private static System.Text.Json.JsonElement Verdict(BetaManagedAgentsAgentToolUseEvent use) =>
        use.Evaluation!.Json.GetProperty("evaluated_permission");
}
