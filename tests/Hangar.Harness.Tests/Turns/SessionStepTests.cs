using System.Text.Json.Nodes;
using Hangar.Harness.Tests.Context;
using Hangar.Harness.Turns;

namespace Hangar.Harness.Tests.Turns;

public sealed class SessionStepTests
{
    private static SessionStep Decide(LogBuilder log) => SessionStep.Decide(LogState.Of(log.Events), ended: false, maxAttempts: 3);

    [Fact]
    public void A_new_message_on_an_idle_session_starts_a_turn_then_calls_the_model()
    {
        var log = new LogBuilder().User("hi", processed: false);
        Assert.IsType<SessionStep.StartTurn>(Decide(log));
        log.Running();
        Assert.Equal(new SessionStep.CallModel(1), Decide(log));
    }

    [Fact]
    public void An_interrupt_comes_before_everything_else()
    {
        var log = new LogBuilder().User("hi").Running().SpanStart().Add("user.interrupt", processed: false);
        Assert.Equal(["sevt_4"], Assert.IsType<SessionStep.Interrupt>(Decide(log)).InterruptIds);
    }

    [Fact]
    public void An_open_model_request_left_by_a_dead_worker_is_closed_first()
    {
        var log = new LogBuilder().User("hi").Running().SpanStart();
        Assert.Equal(new SessionStep.CloseOpenRequest("sevt_3"), Decide(log));
    }

    [Fact]
    public void Ask_waits_for_confirmation_then_allow_runs_and_deny_answers_with_the_message()
    {
        var log = new LogBuilder().User("hi").Running().SpanStart();
        log.ToolUse("bash", new JsonObject(), 0, permission: "ask").SpanEnd("sevt_3", "tool_use");
        var use = log.Events[^2].Id;
        Assert.Equal([use], Assert.IsType<SessionStep.Wait>(Decide(log)).EventIds);

        var denied = new LogBuilder().User("hi").Running().SpanStart();
        denied.ToolUse("bash", new JsonObject(), 0, permission: "ask").SpanEnd("sevt_3", "tool_use")
            .Idle(new JsonObject { ["type"] = "requires_action" }).Confirmation(use, "deny", "not today");
        Assert.IsType<SessionStep.StartTurn>(Decide(denied));
        denied.Running();
        var deny = Assert.IsType<SessionStep.Deny>(Decide(denied));
        Assert.Equal("not today", Assert.Single(deny.Calls).DenyMessage);

        var allowed = new LogBuilder().User("hi").Running().SpanStart();
        allowed.ToolUse("bash", new JsonObject(), 0, permission: "ask").SpanEnd("sevt_3", "tool_use")
            .Idle().Confirmation(use, "allow").Running();
        Assert.Equal(CallState.Runnable, Assert.IsType<SessionStep.RunTool>(Decide(allowed)).Call.State);
    }

    [Fact]
    public void A_custom_tool_waits_for_its_result_and_the_result_resumes_the_turn()
    {
        var log = new LogBuilder().User("hi").Running().SpanStart();
        log.CustomToolUse("lookup", new JsonObject(), 0).SpanEnd("sevt_3", "tool_use");
        var use = log.Events[^2].Id;
        Assert.Equal([use], Assert.IsType<SessionStep.Wait>(Decide(log)).EventIds);
        log.Idle(new JsonObject { ["type"] = "requires_action" }).CustomResult(use, "shipped");
        Assert.IsType<SessionStep.StartTurn>(Decide(log));
        log.Running();
        Assert.Equal(new SessionStep.CallModel(1), Decide(log));
    }

    [Fact]
    public void Failed_requests_count_towards_the_retry_budget()
    {
        var log = new LogBuilder().User("hi").Running();
        for (var i = 0; i < 3; i++)
        {
            log.SpanStart().SpanEnd(log.Events[^1].Id, isError: true);
        }
        Assert.IsType<SessionStep.GiveUp>(Decide(log));
    }

    [Fact]
    public void A_finished_response_ends_the_turn_and_a_settled_session_has_nothing_to_do()
    {
        var log = new LogBuilder().User("hi").Running().SpanStart();
        log.Message("done", 0).SpanEnd("sevt_3");
        Assert.Equal(new SessionStep.EndTurn("end_turn"), Decide(log));
        log.Idle();
        Assert.IsType<SessionStep.Settle>(Decide(log));
    }
}
