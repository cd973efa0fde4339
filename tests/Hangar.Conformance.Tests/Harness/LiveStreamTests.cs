using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

[Collection(WorkingHangarCollection.Name)]
public sealed class LiveStreamTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task The_SDK_stream_delivers_a_whole_tool_turn_live_in_log_order(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("bash", new { command = "echo hi" }).WithText("Let me check."),
            FakeReply.ToolUse("write", new { file_path = "live.txt", content = "streamed" }).ThenToolUse("read", new { file_path = "live.txt" }),
            FakeReply.Text("All done."));
        var session = await client.SessionAsync(script, ct);
        var opened = new StreamOpened();
        var received = new List<BetaManagedAgentsStreamSessionEvents>();
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in hangar.Server.Client(opened).Beta.Sessions.Events.StreamStreaming(session.ID, cancellationToken: stop.Token))
                {
                    e.Validate();
                    lock (received)
                    {
                        received.Add(e);
                    }
                    if (e.Type.Raw() == "session.status_idle")
                    {
                        idle.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // How a caller ends a stream: cancel the token.
            }
        }, ct);
        await opened.Task.WaitAsync(ct);

        await client.SendAsync(session.ID, ct, Turns.Message("say hi, then write and read a note"));
        await idle.Task.WaitAsync(ct);
        await Task.Delay(RunningHangar.Heartbeat * 2, ct); // room for a duplicate to show up
        stop.Cancel();
        await reading.WaitAsync(TimeSpan.FromSeconds(5), ct);

        var log = await client.LogAsync(session.ID, ct);
        List<BetaManagedAgentsStreamSessionEvents> live;
        lock (received)
        {
            live = [.. received];
        }
        Assert.Equal(log.Select(e => $"{e.Type.Raw()} {e.ID}"), live.Select(e => $"{e.Type.Raw()} {e.ID}"));
        Assert.Equal(
            ["user.message", "session.status_running",
             "span.model_request_start", "agent.message", "agent.tool_use", "span.model_request_end", "agent.tool_result",
             "span.model_request_start", "agent.tool_use", "agent.tool_use", "span.model_request_end", "agent.tool_result", "agent.tool_result",
             "span.model_request_start", "agent.message", "span.model_request_end",
             "session.usage", "session.status_idle"],
            live.Select(e => e.Type.Raw()));
        Assert.True(live[^1].TryPickSessionStatusIdleEvent(out var last) && last.StopReason.TryPickBetaManagedAgentsSessionEndTurn(out _));
        var results = live.Select(e => e.TryPickAgentToolResultEvent(out var r) ? r : null).OfType<BetaManagedAgentsAgentToolResultEvent>().ToList();
        Assert.Equal(3, results.Count);
        Assert.Contains("streamed", ToolTurnTests.ContentText(results[^1]));
    }
}
