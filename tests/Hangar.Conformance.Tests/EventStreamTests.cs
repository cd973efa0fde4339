using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class EventStreamTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task The_SDK_stream_delivers_each_event_sent_after_subscribing_exactly_once_in_order(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Client();
        var session = await client.FreshSessionAsync(ct);
        await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("before subscribing"), ct);
        var opened = new StreamOpened();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var received = new List<BetaManagedAgentsStreamSessionEvents>();
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in hangar.Client(opened).Beta.Sessions.Events.StreamStreaming(session.ID, cancellationToken: stop.Token))
                {
                    e.Validate();
                    lock (received)
                    {
                        received.Add(e);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // How a caller ends a stream: cancel the token.
            }
        }, ct);
        await opened.Task.WaitAsync(ct);
        var batch = await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("one", "two"), ct);
        var single = await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("three"), ct);
        var sentIds = Messages.Stored(batch).Concat(Messages.Stored(single)).Select(e => e.ID).ToList();

        await WaitUntil(() => UserMessages(received).Count >= 3, ct);
        await Task.Delay(RunningHangar.Heartbeat * 4, ct); // room for a duplicate to show up
        stop.Cancel();
        await reading.WaitAsync(TimeSpan.FromSeconds(5), ct); // cancelling ends the iteration promptly

        var messages = UserMessages(received);
        Assert.Equal(sentIds, messages.Select(e => e.ID));
        Assert.Equal(["one", "two", "three"], messages.Select(e => Messages.TextOf(e.Value)));
        Assert.All(received, e => Assert.StartsWith("sevt_", e.ID));
    }

    private static List<BetaManagedAgentsStreamSessionEvents> UserMessages(List<BetaManagedAgentsStreamSessionEvents> received)
    {
        lock (received)
        {
            return [.. received.Where(e => e.Type.Raw() == "user.message")];
        }
    }

    private static async Task WaitUntil(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
