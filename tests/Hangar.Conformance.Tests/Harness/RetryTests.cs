using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>Transient model errors: retried with <c>session.error</c> and rescheduling, until the budget runs out.</summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class RetryTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_rate_limited_request_is_retried_after_a_session_error_and_rescheduling_and_the_turn_ends(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(FakeReply.Fault(429, retryAfterSeconds: 0), FakeReply.Text("Made it."));
        var session = await client.SessionAsync(script, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("hello"));
        var events = await client.WaitForIdleAsync(session.ID, ct);

        var error = Assert.Single(Turns.All<BetaManagedAgentsSessionErrorEvent>(events));
        Assert.True(error.Error.TryPickBetaManagedAgentsModelRateLimited(out var limited), $"error {error.Error.Json}");
        Assert.True(limited.RetryStatus.TryPickBetaManagedAgentsRetryStatusRetrying(out _), $"retry status {limited.RetryStatus.Json}");
        var types = Turns.Types(events);
        Assert.Equal(2, types.Count(t => t == "session.status_running"));
        Assert.True(types.IndexOf("session.error") < types.IndexOf("session.status_rescheduled"), string.Join(", ", types));
        Assert.True(types.IndexOf("session.status_rescheduled") < types.LastIndexOf("session.status_running"), string.Join(", ", types));
        Assert.True(types.LastIndexOf("session.status_running") < types.IndexOf("agent.message"), string.Join(", ", types));
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(events).Json}");
        Assert.Equal("Made it.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(events).Single()));
        Turns.AssertConsistent(events);
        Assert.Equal(2, script.Requests.Count);
        Assert.Equal(script.Requests[0].RawBody, script.Requests[1].RawBody);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task When_retries_run_out_the_session_idles_with_retries_exhausted_and_still_takes_the_next_message(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        // The servers allow three attempts per model request.
        var script = hangar.Scripts.New().Then(FakeReply.Fault(529), FakeReply.Fault(529), FakeReply.Fault(529), FakeReply.Text("Recovered."));
        var session = await client.SessionAsync(script, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("hello"));
        var events = await client.WaitForIdleAsync(session.ID, ct);

        var errors = Turns.All<BetaManagedAgentsSessionErrorEvent>(events);
        Assert.Equal(3, errors.Count);
        var statuses = errors.Select(e => Assert.IsType<BetaManagedAgentsModelOverloadedError>(e.Error.Value).RetryStatus).ToList();
        Assert.True(statuses[0].TryPickBetaManagedAgentsRetryStatusRetrying(out _));
        Assert.True(statuses[1].TryPickBetaManagedAgentsRetryStatusRetrying(out _));
        Assert.True(statuses[2].TryPickBetaManagedAgentsRetryStatusExhausted(out _), $"retry status {statuses[2].Json}");
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionRetriesExhausted(out _), $"stop reason {Turns.LastStop(events).Json}");
        Assert.DoesNotContain("agent.message", Turns.Types(events));
        Turns.AssertConsistent(events);
        Assert.Equal(Anthropic.Models.Beta.Sessions.BetaManagedAgentsSessionStatus.Idle, (await client.RetrieveAsync(session.ID, ct)).Status.Value());

        await client.SendAsync(session.ID, ct, Turns.Message("try again"));
        var next = await client.WaitForIdleAsync(session.ID, ct, idles: 2);

        Assert.True(Turns.LastStop(next).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(next).Json}");
        Assert.Equal("Recovered.", Turns.TextOf(Turns.All<BetaManagedAgentsAgentMessageEvent>(next).Single()));
        Assert.Equal(4, script.Requests.Count);
        Assert.Contains("try again", script.Requests[3].Messages[^1]!.ToJsonString());
    }
}
