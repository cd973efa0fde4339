using System.Diagnostics;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Testing;

namespace Hangar.Conformance.Tests.Harness;

/// <summary><c>user.interrupt</c> ends the turn promptly, leaves a valid log, and the next message works.</summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class InterruptTests(WorkingHangars servers)
{
    /// <summary>
    /// Half of what the interrupted work would take (a two-minute stream or sleep): ending within it
    /// proves the interrupt cut the work short, with room for a loaded machine (it takes ~0.2 s idle).
    /// </summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(60);

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_interrupt_while_the_model_streams_ends_the_turn_promptly_and_the_next_message_starts_a_new_one(StoreKind store)
    {
        var ct = Timeouts.Test(180); // Room for Prompt and the next turn on a loaded machine.
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.Text(string.Join(' ', Enumerable.Repeat("slowly", 1200))).WithTokenDelay(TimeSpan.FromMilliseconds(100)),
            FakeReply.Text("Back again."));
        var session = await client.SessionAsync(script, ct);
        await client.SendAsync(session.ID, ct, Turns.Message("talk for a long time"));
        await script.WaitForRequestsAsync(1, ct); // From here it streams for two minutes.

        var events = await InterruptAsync(client, session.ID, ct);

        Assert.DoesNotContain("agent.message", Turns.Types(events));
        Assert.True(Assert.Single(Turns.All<BetaManagedAgentsSpanModelRequestEndEvent>(events)).IsError);
        Assert.True(Assert.Single(Turns.All<BetaManagedAgentsUserInterruptEvent>(events)).ProcessedAt.HasValue);

        var next = await NextTurnAsync(client, session.ID, ct);
        Assert.Equal(2, script.Requests.Count);
        Assert.Contains("go on", script.Requests[1].Messages[^1]!.ToJsonString());
        Assert.Equal("Back again.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(next)[^1]));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_interrupt_during_a_long_bash_command_ends_the_turn_promptly_with_the_call_closed(StoreKind store)
    {
        var ct = Timeouts.Test(180); // Room for Prompt and the next turn on a loaded machine.
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(FakeReply.ToolUse("bash", new { command = "sleep 122.5" }), FakeReply.Text("Back again."));
        var session = await client.SessionAsync(script, ct);
        await client.SendAsync(session.ID, ct, Turns.Message("wait a while"));
        await HostProcesses.WaitUntilRunningAsync(ct, "sleep", "122.5"); // The command really runs, in its sandbox.

        var events = await InterruptAsync(client, session.ID, ct);

        var use = Assert.Single(Turns.All<BetaManagedAgentsAgentToolUseEvent>(events));
        var result = Assert.Single(Turns.All<BetaManagedAgentsAgentToolResultEvent>(events));
        Assert.Equal(use.ID, result.ToolUseID);
        Assert.True(result.IsError);

        var next = await NextTurnAsync(client, session.ID, ct);
        Assert.Equal(2, script.Requests.Count);
        var messages = script.Requests[1].Messages;
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal([use.ID], ToolTurnTests.ToolResultIds(messages[^1]!));
        Assert.Contains("go on", messages[^1]!.ToJsonString());
        Assert.Equal("Back again.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(next)[^1]));
    }

    /// <summary>Interrupts and returns the log once idle, asserting the turn ended within <see cref="Prompt"/> and left a valid log.</summary>
    private static async Task<List<BetaManagedAgentsSessionEvent>> InterruptAsync(Anthropic.AnthropicClient client, string session, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await client.SendAsync(session, ct, new BetaManagedAgentsUserInterruptEventParams());
        var events = await client.WaitForIdleAsync(session, ct);
        Assert.True(clock.Elapsed < Prompt, $"the interrupt took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(events).Json}");
        Assert.Equal(Anthropic.Models.Beta.Sessions.BetaManagedAgentsSessionStatus.Idle, (await client.RetrieveAsync(session, ct)).Status.Value());
        Turns.AssertConsistent(events);
        return events;
    }

    private static async Task<List<BetaManagedAgentsSessionEvent>> NextTurnAsync(Anthropic.AnthropicClient client, string session, CancellationToken ct)
    {
        await client.SendAsync(session, ct, Turns.Message("go on"));
        var events = await client.WaitForIdleAsync(session, ct, idles: 2);
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(events).Json}");
        Turns.AssertConsistent(events);
        Assert.Equal(2, Turns.Types(events).Count(t => t == "session.status_running"));
        return events;
    }
}
