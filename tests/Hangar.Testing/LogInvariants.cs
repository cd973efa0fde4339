using Xunit;

namespace Hangar.Testing;

/// <summary>
/// What a session log must look like however many workers died while writing it: dense seqs,
/// unique ids, model output logged once, every tool call and model request closed exactly once,
/// and a status sequence a client can follow.
/// </summary>
public static class LogInvariants
{
    /// <param name="replies">Texts of the model replies that completed; each must be logged exactly once.</param>
    /// <param name="turns">How many turns (user messages) the session had; each ends idle with end_turn.</param>
    public static void AssertConsistent(List<StoredEvent> log, IReadOnlyList<string> replies, int turns)
    {
        var because = "\nlog:\n" + StoredLog.Describe(log);

        Assert.True(log.Select(e => e.Seq).SequenceEqual(Enumerable.Range(1, log.Count).Select(i => (long)i)), "seq is not dense 1..N" + because);
        Assert.True(log.Select(e => e.Id).Distinct().Count() == log.Count, "an event id repeats" + because);

        var messages = log.Where(e => e.Type == "agent.message").Select(e => e.Text).ToList();
        Assert.True(messages.Distinct().Count() == messages.Count, "a model reply was logged twice" + because);
        foreach (var reply in replies)
        {
            Assert.True(messages.Count(m => m == reply) == 1, $"reply \"{reply}\" is not logged exactly once" + because);
        }

        AssertToolCallsAnsweredOnce(log, because);
        AssertSpansClosedOnce(log, because);
        AssertStatusesFollowTurns(log, turns, because);
    }

    /// <summary>Every agent.tool_use has exactly one agent.tool_result, after it, and every result answers a logged use.</summary>
    private static void AssertToolCallsAnsweredOnce(List<StoredEvent> log, string because)
    {
        var uses = log.Where(e => e.Type == "agent.tool_use").ToDictionary(e => e.Id, e => e.Seq);
        var results = log.Where(e => e.Type == "agent.tool_result").ToList();
        foreach (var (id, seq) in uses)
        {
            var answers = results.Where(r => (string?)r.Json["tool_use_id"] == id).ToList();
            Assert.True(answers.Count == 1, $"tool_use {id} has {answers.Count} results" + because);
            Assert.True(answers[0].Seq > seq, $"the result of {id} precedes it" + because);
        }
        Assert.True(results.All(r => uses.ContainsKey((string?)r.Json["tool_use_id"] ?? "")), "a tool_result answers no logged tool_use" + because);
    }

    /// <summary>Spans never overlap: each start is closed by exactly one end before the next start.</summary>
    private static void AssertSpansClosedOnce(List<StoredEvent> log, string because)
    {
        string? open = null;
        foreach (var e in log)
        {
            if (e.Type == "span.model_request_start")
            {
                Assert.True(open is null, $"span {e.Id} starts while {open} is open" + because);
                open = e.Id;
            }
            else if (e.Type == "span.model_request_end")
            {
                Assert.True(open is not null && (string?)e.Json["model_request_start_id"] == open, $"span end {e.Id} closes no open span" + because);
                open = null;
            }
        }
        Assert.True(open is null, $"span {open} is never closed" + because);
    }

    /// <summary>
    /// idle → (user.message) → running → … → idle{end_turn}, one running per turn (crash recovery
    /// does not announce a new turn), and agent/span events only while running.
    /// </summary>
    private static void AssertStatusesFollowTurns(List<StoredEvent> log, int turns, string because)
    {
        var running = false;
        var idles = 0;
        foreach (var e in log)
        {
            switch (e.Type)
            {
                case "session.status_running":
                    Assert.True(!running, $"running announced twice ({e.Seq})" + because);
                    running = true;
                    break;
                case "session.status_idle":
                    Assert.True(running, $"idle without running ({e.Seq})" + because);
                    Assert.Equal("end_turn", (string?)e.Json["stop_reason"]?["type"]);
                    running = false;
                    idles++;
                    break;
                case var type when type.StartsWith("agent.", StringComparison.Ordinal) || type.StartsWith("span.", StringComparison.Ordinal):
                    Assert.True(running, $"{type} ({e.Seq}) outside a running turn" + because);
                    break;
            }
        }
        Assert.True(!running && idles == turns, $"expected {turns} turns ending idle, saw {idles}" + because);
        Assert.Equal(turns, log.Count(e => e.Type == "session.status_running"));
        Assert.Equal(turns, log.Count(e => e.Type == "user.message"));
        Assert.Equal("session.status_idle", log[^1].Type);
    }
}
