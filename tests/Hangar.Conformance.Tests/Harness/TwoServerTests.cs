using Anthropic;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Storage;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>Two processes' worth of workers on one PostgreSQL database never run a session at the same time.</summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class TwoServerTests
{
    private const int Sessions = 200;

    [Fact]
    public async Task Two_servers_on_one_postgres_database_never_run_one_of_200_sessions_at_the_same_time()
    {
        var ct = Timeouts.Test(300);
        var connection = await (await Hangar.Testing.PostgresCluster.SharedAsync()).CreateDatabaseAsync(ct);
        // Each server has its own fake model, so the fakes' logs also tell which server ran what.
        await using var modelA = await FakeMessagesServer.StartAsync(ct);
        await using var modelB = await FakeMessagesServer.StartAsync(ct);
        modelA.Respond(_ => FakeReply.Text("done"));
        modelB.Respond(_ => FakeReply.Text("done"));
        await using var serverA = await StartAsync(connection, modelA, ct);
        await using var serverB = await StartAsync(connection, modelB, ct);
        AnthropicClient[] clients = [serverA.Client(), serverB.Client()];
        var script = new ModelScript(modelA, "two-servers");
        var first = await clients[0].SessionAsync(script, ct);
        var sessions = new List<string> { first.ID };
        for (var i = 1; i < Sessions; i++)
        {
            sessions.Add((await clients[i % 2].SessionAsync(first.Agent.ID, first.EnvironmentID, ct)).ID);
        }

        await Parallel.ForEachAsync(
            sessions.Select((id, i) => (id, i)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (s, token) => await clients[s.i % 2].SendAsync(s.id, token, Turns.Message($"hello {s.id}")));

        foreach (var (session, i) in sessions.Select((id, i) => (id, i)))
        {
            var events = await clients[i % 2].WaitForIdleAsync(session, ct);
            Turns.AssertConsistent(events);
            // A worker whose lease lapsed (a stall longer than the lease on a loaded machine) is fenced out:
            // the one that takes over closes the abandoned request with an error span and asks again. Its
            // output is never logged, so the turn still shows one running/idle pair and one agent.message.
            var abandoned = Turns.All<BetaManagedAgentsSpanModelRequestEndEvent>(events).Count(end => end.IsError == true);
            var types = Turns.Types(events);
            for (var k = 0; k < abandoned; k++)
            {
                var at = types.IndexOf("span.model_request_start");
                Assert.Equal("span.model_request_end", types[at + 1]);
                types.RemoveRange(at, 2);
            }
            Assert.Equal(
                ["user.message", "session.status_running", "span.model_request_start", "agent.message", "span.model_request_end", "session.usage", "session.status_idle"],
                types);
            Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"{session}: stop reason {Turns.LastStop(events).Json}");
            Assert.Equal(BetaManagedAgentsSessionStatus.Idle, (await clients[i % 2].RetrieveAsync(session, ct)).Status.Value());
            // Every model request beyond the first is accounted for by a logged takeover.
            var requests = modelA.Requests.Concat(modelB.Requests);
            Assert.Equal(1 + abandoned, requests.Count(r => r.RawBody.Contains($"hello {session}", StringComparison.Ordinal)));
        }

        Assert.True(modelA.Requests.Count > 0 && modelB.Requests.Count > 0, $"only one server worked: {modelA.Requests.Count} / {modelB.Requests.Count}");
    }

    private static async Task<RunningHangar> StartAsync(string connection, FakeMessagesServer model, CancellationToken ct)
    {
        var scratch = Directory.CreateTempSubdirectory("hangar-two-servers-").FullName;
        return await RunningHangar.StartAsync(
            new StoreOptions(ConnectionString: connection), scratch, ct, WorkingHangar.Settings(model, Path.Combine(scratch, "workspaces")));
    }
}
