using System.Diagnostics.Metrics;
using Hangar.FakeModel;
using Hangar.Harness.Tests.Turns;
using Hangar.Storage;

namespace Hangar.Harness.Tests.Workers;

/// <summary>
/// A full process (every <c>--concurrency</c> slot busy) still takes over a dead worker's session
/// in its headroom, and headroom is never spent on new work; the <c>Hangar.Harness</c> meter shows it.
/// </summary>
public sealed class TakeoverHeadroomTests
{
    /// <summary>A model call that outlasts the test: it keeps a slot busy until the host stops.</summary>
    private const string Hold = "hold the slot";

    [Fact]
    public async Task A_full_pool_runs_an_interrupted_session_in_its_headroom_but_leaves_new_work_waiting()
    {
        await using var host = await HarnessHost.StartAsync(configure: s => s with { Concurrency = 1, TakeoverHeadroom = 1 });
        host.Model.Respond(request => request.RawBody.Contains(Hold, StringComparison.Ordinal)
            ? FakeReply.Text("never finished").WithTimeToFirstToken(TimeSpan.FromMinutes(5))
            : FakeReply.Text("unexpected"));
        using var metrics = new HarnessMetrics(host.Pool.Owner);
        await using var store = await HangarStore.OpenAsync(host.Store, CancellationToken.None);

        var busy = await host.CreateSessionAsync();
        await host.SendTextAsync(busy, Hold);
        await WaitForModelCallAsync(host, busy);
        var waiting = await host.CreateSessionAsync();
        await host.SendTextAsync(waiting, "new work, sent before the crash");
        // The crash: this session's owner claimed it mid-turn and died; its lease expired a minute ago, unreleased.
        var interrupted = await host.CreateSessionAsync();
        await host.SendTextAsync(interrupted, Hold);
        Assert.NotNull(await store.Leases.TryAcquireAsync(interrupted, "dead-host:1:dead", TimeSpan.FromMinutes(-1), CancellationToken.None));

        await WaitForModelCallAsync(host, interrupted);

        Assert.DoesNotContain(await host.EventsAsync(waiting), e => Events.TypeOf(e) == "session.status_running");
        Assert.Equal(1, metrics.Takeovers("headroom"));
        Assert.Equal(0, metrics.Takeovers("concurrency"));
        metrics.Collect();
        Assert.Equal((1, 1), (metrics.Gauge(HarnessTelemetry.RunningMetric, "concurrency"), metrics.Gauge(HarnessTelemetry.RunningMetric, "headroom")));
        Assert.Equal((1, 1), (metrics.Gauge(HarnessTelemetry.SlotsMetric, "concurrency"), metrics.Gauge(HarnessTelemetry.SlotsMetric, "headroom")));
        // Both slots are taken: the new work still waits, as new work.
        Assert.Equal([new ClaimableSession(waiting, false)], await store.Leases.FindClaimableAsync(10, CancellationToken.None));
    }

    private static Task WaitForModelCallAsync(HarnessHost host, string sessionId) =>
        host.WaitForAsync(sessionId, events => events.Any(e => Events.TypeOf(e) == "span.model_request_start"));

    /// <summary>The <c>Hangar.Harness</c> measurements of one pool (by its owner tag; other tests' pools run in this process too).</summary>
    private sealed class HarnessMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string Name, string Slot), long> _last = [];
        private readonly Lock _gate = new();

        public HarnessMetrics(string owner)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == HarnessTelemetry.SourceName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags, add: false));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags, add: true));
            _listener.Start();

            void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool add)
            {
                string? tagOwner = null, slot = null;
                foreach (var tag in tags)
                {
                    tagOwner = tag.Key == HarnessTelemetry.OwnerTag ? (string?)tag.Value : tagOwner;
                    slot = tag.Key == HarnessTelemetry.SlotTag ? (string?)tag.Value : slot;
                }
                if (tagOwner != owner || slot is null)
                {
                    return;
                }
                lock (_gate)
                {
                    var key = (instrument.Name, slot);
                    _last[key] = add ? _last.GetValueOrDefault(key) + value : value;
                }
            }
        }

        public void Collect() => _listener.RecordObservableInstruments();

        public long Takeovers(string slot) => Read(HarnessTelemetry.TakeoversMetric, slot);

        public long Gauge(string name, string slot) => Read(name, slot);

        private long Read(string name, string slot)
        {
            lock (_gate)
            {
                return _last.GetValueOrDefault((name, slot));
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
