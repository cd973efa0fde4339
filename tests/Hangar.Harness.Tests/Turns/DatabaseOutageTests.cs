using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Harness.Tests.Turns;

/// <summary>
/// A database that goes away in the middle of a turn (here: a real PostgreSQL restart, the
/// fault the chaos run met as 53300) is waited out: the turn ends with <c>end_turn</c> once it
/// is back, with no <c>session.error</c> and no tool result about it. The outage is placed
/// exactly through the harness's own spans, and the database comes back only after the
/// harness was seen waiting for it.
/// </summary>
public sealed class DatabaseOutageTests(OwnPostgresCluster own) : IClassFixture<OwnPostgresCluster>
{
    private readonly PostgresCluster cluster = own.Cluster;

    [Fact]
    public async Task A_database_outage_as_the_sandbox_starts_is_waited_out_and_the_tool_runs()
    {
        await using var host = await StartHostAsync();
        host.Model.Enqueue(FakeReply.ToolUse("bash", new { command = "echo still-here" }));
        host.Model.Enqueue(FakeReply.Text("Done."));
        var session = await host.CreateSessionAsync();
        // The sandbox's start reads the session's environment and resources from the store.
        using var outage = new Outage(cluster, session, starts: a => a.OperationName == HarnessTelemetry.Step
            && (string?)a.GetTagItem(HarnessTelemetry.StepTag) == "RunTool");

        await host.SendTextAsync(session, "run it");
        await outage.WaitedOutAsync();
        await cluster.StartServerAsync();
        var events = await host.WaitForIdleAsync(session, timeout: TimeSpan.FromSeconds(60));

        AssertCleanTurn(events, outage);
        var result = Events.Single(events, "agent.tool_result");
        Assert.NotEqual(true, (bool?)result["is_error"]);
        Assert.Contains("still-here", result["content"]!.ToJsonString());
        Assert.Equal(2, host.Model.Requests.Count);
    }

    [Fact]
    public async Task A_database_outage_while_the_model_answers_keeps_the_answer()
    {
        await using var host = await StartHostAsync();
        var session = await host.CreateSessionAsync();
        using var outage = new Outage(cluster, session, starts: _ => false);
        // The answer arrives while the database is down: writing it is what meets the outage.
        host.Model.Respond(_ =>
        {
            outage.Begin();
            return FakeReply.Text("Answered through the outage.");
        });

        await host.SendTextAsync(session, "hello");
        await outage.WaitedOutAsync();
        await cluster.StartServerAsync();
        var events = await host.WaitForIdleAsync(session, timeout: TimeSpan.FromSeconds(60));

        AssertCleanTurn(events, outage);
        // Retried in place: the answer in hand was written, not asked for again.
        Assert.Single(host.Model.Requests);
        Assert.Contains("Answered through the outage.", Events.Single(events, "agent.message").ToJsonString());
        Assert.Equal(
            ["user.message", "session.status_running", "span.model_request_start", "agent.message", "span.model_request_end",
             "session.usage", "session.status_idle"],
            Events.Types(events));
    }

    private async Task<HarnessHost> StartHostAsync() =>
        await HarnessHost.StartAsync(
            new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync()),
            // A lease long enough to outlast the restart: this is about the store, not about lease loss.
            s => s with { LeaseTtl = TimeSpan.FromSeconds(60) });

    private static void AssertCleanTurn(List<JsonObject> events, Outage outage)
    {
        Assert.True(outage.Retries > 0);
        Assert.DoesNotContain(events, e => Events.TypeOf(e) == "session.error");
        Assert.All(events.Where(e => Events.TypeOf(e) == "span.model_request_end"), e => Assert.False((bool?)e["is_error"]));
        Assert.DoesNotContain(events, e => e.ToJsonString().Contains("could not be started", StringComparison.Ordinal));
        Assert.Equal("end_turn", Events.StopReason(events[^1]));
    }

    /// <summary>
    /// Stops the cluster once, when the harness starts a span that <c>starts</c> picks for this
    /// session (or on <see cref="Begin"/>), and tells when the harness has then waited out a store failure.
    /// </summary>
    private sealed class Outage : IDisposable
    {
        private readonly PostgresCluster _cluster;
        private readonly string _sessionId;
        private readonly ActivityListener _listener;
        private readonly TaskCompletionSource _waited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _begun;
        private int _retries;

        public Outage(PostgresCluster cluster, string sessionId, Func<Activity, bool> starts)
        {
            _cluster = cluster;
            _sessionId = sessionId;
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == HarnessTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStarted = activity =>
                {
                    if (!Mine(activity))
                    {
                        return;
                    }
                    if (activity.OperationName == HarnessTelemetry.StoreRetry && Volatile.Read(ref _begun) == 1)
                    {
                        Interlocked.Increment(ref _retries);
                        _waited.TrySetResult();
                    }
                    else if (starts(activity))
                    {
                        Begin();
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public int Retries => Volatile.Read(ref _retries);

        /// <summary>Stops the database (once), synchronously: the harness's next store call meets it down.</summary>
        public void Begin()
        {
            if (Interlocked.Exchange(ref _begun, 1) == 0)
            {
                _cluster.StopServerAsync().GetAwaiter().GetResult();
            }
        }

        public Task WaitedOutAsync() => _waited.Task.WaitAsync(TimeSpan.FromSeconds(60));

        private bool Mine(Activity activity)
        {
            for (var a = activity; a is not null; a = a.Parent)
            {
                if ((string?)a.GetTagItem(HarnessTelemetry.SessionTag) == _sessionId)
                {
                    return true;
                }
            }
            return false;
        }

        public void Dispose() => _listener.Dispose();
    }
}
