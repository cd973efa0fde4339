using Anthropic.Helpers;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Storage;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// On PostgreSQL the process serving a stream need not be the one running the model: previews cross
/// between them (NOTIFY), in the same order and with the same ids as in one process.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class CrossProcessDeltaTests
{
    [Fact]
    public async Task An_api_only_server_streams_the_previews_of_a_model_run_by_a_worker_server()
    {
        var ct = Timeouts.Test(180); // Two servers and, when first, the PostgreSQL cluster start here.
        var connection = await (await Hangar.Testing.PostgresCluster.SharedAsync()).CreateDatabaseAsync(ct);
        await using var model = await FakeMessagesServer.StartAsync(ct);
        var scripts = new ModelScripts(model);
        var scratch = Directory.CreateTempSubdirectory("hangar-delta-fleet-").FullName;
        await using var api = await RunningHangar.StartAsync(new StoreOptions(ConnectionString: connection), scratch, ct);
        await using var worker = await RunningHangar.StartAsync(
            new StoreOptions(ConnectionString: connection), scratch, ct, WorkingHangar.Settings(model, Path.Combine(scratch, "workspaces")));
        var client = api.Client();
        var script = scripts.New().Then(FakeReply.Text(EventDeltaTests.Answer).WithTokenDelay(TimeSpan.FromMilliseconds(25)));
        var session = await client.SessionAsync(script, ct);

        await using var stream = DeltaStream.Open(api, session.ID, ["agent.message"], ct);
        await stream.Opened;
        // The worker learns of the reader by NOTIFY; previews start with the first request it sees watched.
        while (!worker.Store.Deltas.IsWatched(session.ID))
        {
            await Task.Delay(10, ct);
        }
        Assert.False(api.Store.Deltas.IsWatched("sesn_nobody"));
        await client.SendAsync(session.ID, ct, Turns.Message("stream it across"));
        await stream.Idle.WaitAsync(ct);

        var log = await client.LogAsync(session.ID, ct);
        var message = log.Single(e => Turns.TypeOf(e) == "agent.message");
        var frames = stream.Received;
        var final = frames.FindIndex(f => f.Event.ID == message.ID && f.Event.Type.Raw() == "agent.message");
        var types = frames.Take(final).Select(f => f.Event.Type.Raw()).ToList();
        Assert.True(types.IndexOf("span.model_request_start") < types.IndexOf("event_start"), string.Join(",", types));
        Assert.Contains("event_delta", types);
        var firstDelta = frames.FindIndex(f => f.Event.Type.Raw() == "event_delta");
        Assert.True(frames[final].At - frames[firstDelta].At > TimeSpan.FromMilliseconds(100), "previews should arrive while the model writes");
        var aggregator = new BetaManagedAgentsEventAggregator();
        frames.Take(final).ToList().ForEach(f => aggregator.Aggregate(f.Event));
        Assert.Equal(EventDeltaTests.Answer, aggregator.GetAgentMessageText(message.ID));
        Assert.Equal(log.Select(e => e.ID), frames.Where(f => f.Event.Type.Raw() is not ("event_start" or "event_delta")).Select(f => f.Event.ID));
    }
}
