using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary><c>always_ask</c>: the turn waits for <c>user.tool_confirmation</c> and follows it.</summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class PermissionTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_always_ask_tool_waits_for_confirmation_and_runs_once_allowed(StoreKind store)
    {
        var ct = Timeouts.Test();
        var (hangar, client, script, session, use) = await AskedAsync(store, "allowed.txt", ct);

        await client.SendAsync(session, ct, new BetaManagedAgentsUserToolConfirmationEventParams
        {
            ToolUseID = use.ID,
            Result = BetaManagedAgentsUserToolConfirmationEventParamsResult.Allow,
        });
        var done = await client.WaitForIdleAsync(session, ct, idles: 2);

        Assert.True(Turns.LastStop(done).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(done).Json}");
        Turns.AssertConsistent(done);
        var result = Assert.Single(Turns.All<BetaManagedAgentsAgentToolResultEvent>(done));
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("written", File.ReadAllText(Path.Combine(hangar.Workspaces, session, "allowed.txt")));
        var seen = script.Requests[1].Messages[^1]!["content"]![0]!;
        Assert.Equal(use.ID, (string?)seen["tool_use_id"]);
        Assert.NotEqual(true, (bool?)seen["is_error"]);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_denied_always_ask_tool_does_not_run_and_the_model_sees_the_deny_message_as_an_error(StoreKind store)
    {
        var ct = Timeouts.Test();
        var (hangar, client, script, session, use) = await AskedAsync(store, "denied.txt", ct);

        await client.SendAsync(session, ct, new BetaManagedAgentsUserToolConfirmationEventParams
        {
            ToolUseID = use.ID,
            Result = BetaManagedAgentsUserToolConfirmationEventParamsResult.Deny,
            DenyMessage = "not on my machine",
        });
        var done = await client.WaitForIdleAsync(session, ct, idles: 2);

        Assert.True(Turns.LastStop(done).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(done).Json}");
        Turns.AssertConsistent(done);
        var result = Assert.Single(Turns.All<BetaManagedAgentsAgentToolResultEvent>(done));
        Assert.True(result.IsError);
        Assert.False(File.Exists(Path.Combine(hangar.Workspaces, session, "denied.txt")), "a denied write created its file");
        var seen = script.Requests[1].Messages[^1]!["content"]![0]!;
        Assert.Equal("tool_result", (string?)seen["type"]);
        Assert.Equal(use.ID, (string?)seen["tool_use_id"]);
        Assert.True((bool?)seen["is_error"]);
        Assert.Contains("not on my machine", seen.ToJsonString());
    }

    /// <summary>A session whose model asked to write <paramref name="file"/> and now waits for the user's say.</summary>
    private async Task<(WorkingHangar Hangar, Anthropic.AnthropicClient Client, ModelScript Script, string Session, BetaManagedAgentsAgentToolUseEvent Use)> AskedAsync(
        StoreKind store, string file, CancellationToken ct)
    {
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("write", new { file_path = file, content = "written" }),
            FakeReply.Text("ok"));
        var session = await client.SessionAsync(script, ct, Turns.AskingToolset());

        await client.SendAsync(session.ID, ct, Turns.Message("write the file"));
        var waiting = await client.WaitForIdleAsync(session.ID, ct);

        var use = Assert.Single(Turns.All<BetaManagedAgentsAgentToolUseEvent>(waiting));
        Assert.Equal("ask", use.EvaluatedPermission!.Raw());
        Assert.Equal("always_ask", use.Evaluation!.Json.GetProperty("type").GetString());
        Assert.True(Turns.LastStop(waiting).TryPickBetaManagedAgentsSessionRequiresAction(out var action), $"stop reason {Turns.LastStop(waiting).Json}");
        Assert.Equal([use.ID], action.EventIds);
        Assert.Empty(Turns.All<BetaManagedAgentsAgentToolResultEvent>(waiting));
        Assert.False(File.Exists(Path.Combine(hangar.Workspaces, session.ID, file)), "the tool ran before it was confirmed");
        return (hangar, client, script, session.ID, use);
    }
}
