using System.Diagnostics;
using Anthropic.Helpers;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// Live previews (<c>event_deltas[]</c>, api.md §9 "Preview frames") through the official SDK: the model's
/// text arrives as <c>event_start</c>/<c>event_delta</c> frames while it is written, ahead of the logged
/// event with the same id, in the documented order; streams that did not ask see nothing new.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class EventDeltaTests(WorkingHangars servers)
{
    public const string Answer = "Deltas arrive word by word while the model is still writing this sentence.";

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_stream_with_event_deltas_gets_the_text_live_before_the_message_and_others_get_none(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.Thinking("Let me think.").ThenText(Answer).WithTokenDelay(TimeSpan.FromMilliseconds(25)));
        var session = await client.SessionAsync(script, ct);

        await using var previewing = DeltaStream.Open(hangar.Server, session.ID, ["agent.message", "agent.thinking"], ct);
        await using var plain = DeltaStream.Open(hangar.Server, session.ID, [], ct);
        await Task.WhenAll(previewing.Opened, plain.Opened);
        await client.SendAsync(session.ID, ct, Turns.Message("stream it"));
        await Task.WhenAll(previewing.Idle, plain.Idle).WaitAsync(ct);

        var log = await client.LogAsync(session.ID, ct);
        var frames = previewing.Received;
        var types = frames.Select(f => f.Event.Type.Raw()).ToList();
        var message = log.Single(e => Turns.TypeOf(e) == "agent.message");
        var thinking = log.Single(e => Turns.TypeOf(e) == "agent.thinking");

        // The documented order: span start → event_start → deltas → the event (same id) → span end.
        var spanStart = types.IndexOf("span.model_request_start");
        var start = frames.FindIndex(f => f.Event.TryPickStartEvent(out var s) && s.Event.Json.GetProperty("id").GetString() == message.ID);
        var deltas = frames.Select((f, i) => (f, i)).Where(x => x.f.Event.TryPickDeltaEvent(out _)).Select(x => x.i).ToList();
        var final = frames.FindIndex(f => f.Event.ID == message.ID && f.Event.Type.Raw() == "agent.message");
        var spanEnd = types.IndexOf("span.model_request_end");
        Assert.True(spanStart >= 0 && start > spanStart, string.Join(",", types));
        Assert.NotEmpty(deltas);
        Assert.All(deltas, i => Assert.InRange(i, start + 1, final - 1));
        Assert.True(spanEnd > final, string.Join(",", types));
        Assert.All(deltas, i => Assert.True(frames[i].Event.TryPickDeltaEvent(out var d) && d.EventID == message.ID));
        // Live, not a replay at the end: the first delta came well before the message was logged.
        Assert.True(frames[final].At - frames[deltas[0]].At > TimeSpan.FromMilliseconds(100),
            $"first delta {frames[deltas[0]].At.TotalMilliseconds} ms, message {frames[final].At.TotalMilliseconds} ms");
        // The SDK's own aggregator folds the deltas into the final text.
        var aggregator = new BetaManagedAgentsEventAggregator();
        foreach (var f in frames.Take(final))
        {
            aggregator.Aggregate(f.Event);
        }
        Assert.Equal(Answer, aggregator.GetAgentMessageText(message.ID));
        Assert.Equal(Answer, Turns.TextOf((BetaManagedAgentsAgentMessageEvent)message.Value!));
        // Thinking gets event_start only, with the thinking event's id.
        Assert.Contains(frames.Take(types.IndexOf("agent.thinking")), f => f.Event.TryPickStartEvent(out var s)
            && s.Event.Json.GetProperty("id").GetString() == thinking.ID && s.Event.Json.GetProperty("type").GetString() == "agent.thinking");

        // Without the parameter: exactly the log, nothing else; and previews are never stored.
        Assert.Equal(log.Select(e => $"{Turns.TypeOf(e)} {e.ID}"), plain.Received.Select(f => $"{f.Event.Type.Raw()} {f.Event.ID}").SkipWhile(t => !t.StartsWith("user.message")));
        Assert.DoesNotContain(log, e => Turns.TypeOf(e) is "event_start" or "event_delta");
        Assert.Equal(log.Select(e => e.ID), frames.Where(f => f.Event.Type.Raw() is not ("event_start" or "event_delta")).Select(f => f.Event.ID));
    }

    [Theory]
    [InlineData("event_deltas[]=agent.tool_use")]
    [InlineData("event_deltas[]=agent.message&event_deltas[]=session.status_idle")]
    public async Task A_stream_asking_previews_of_another_event_type_is_refused_naming_the_parameter(string query)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(StoreKind.Sqlite);
        var session = await hangar.Server.Client().FreshSessionAsync(ct);
        var response = await hangar.Server.Raw().GetJsonAsync($"/v1/sessions/{session.ID}/events/stream?{query}", ct);
        response.AssertErrorEnvelope(400, "invalid_request_error");
        Assert.Contains("event_deltas", response.Body.Required("error").Required("message").GetString());
    }

    [Fact]
    public async Task More_than_100_event_delta_values_are_refused()
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(StoreKind.Sqlite);
        var session = await hangar.Server.Client().FreshSessionAsync(ct);
        var query = string.Join('&', Enumerable.Repeat("event_deltas[]=agent.message", 101));
        var response = await hangar.Server.Raw().GetJsonAsync($"/v1/sessions/{session.ID}/events/stream?{query}", ct);
        response.AssertErrorEnvelope(400, "invalid_request_error");
        Assert.Contains("event_deltas", response.Body.Required("error").Required("message").GetString());
    }
}

/// <summary>One SDK stream read in the background, each event stamped with when it arrived.</summary>
internal sealed class DeltaStream : IAsyncDisposable
{
    private readonly List<(BetaManagedAgentsStreamSessionEvents Event, TimeSpan At)> _received = [];
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private readonly StreamOpened _opened = new();
    private readonly Task _reading;

    private DeltaStream(RunningHangar server, string sessionId, string[] deltas, CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var parameters = new EventStreamParams();
        if (deltas.Length > 0)
        {
            parameters = new EventStreamParams
            {
                EventDeltas = [.. deltas.Select(d => (Anthropic.Core.ApiEnum<string, Anthropic.Models.Beta.Sessions.BetaManagedAgentsDeltaType>)d)],
            };
        }
        _reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in server.Client(_opened).Beta.Sessions.Events.StreamStreaming(sessionId, parameters, _stop.Token))
                {
                    e.Validate();
                    lock (_received)
                    {
                        _received.Add((e, clock.Elapsed));
                    }
                    if (e.Type.Raw() == "session.status_idle")
                    {
                        _idle.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }, ct);
    }

    public static DeltaStream Open(RunningHangar server, string sessionId, string[] deltas, CancellationToken ct) => new(server, sessionId, deltas, ct);

    public Task Opened => _opened.Task;

    public Task Idle => _idle.Task;

    public List<(BetaManagedAgentsStreamSessionEvents Event, TimeSpan At)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading.WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
