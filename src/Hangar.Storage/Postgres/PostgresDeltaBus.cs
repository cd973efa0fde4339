using System.Threading.Channels;
using Hangar.Storage.Deltas;
using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Previews across processes: the API process serving a stream and the worker running the model may
/// be different processes. A process with readers announces the sessions they watch on
/// <see cref="WatchChannel"/> (again every <see cref="AnnounceEvery"/>; an announcement lapses after
/// <see cref="InterestLifetime"/>, so a crashed reader costs at most that long); a worker sends frames
/// (coalesced: whatever queued while the previous NOTIFY was in flight, under the 8000-byte payload
/// limit) on <see cref="FramesChannel"/> only for sessions someone announced. Nobody watching: no
/// NOTIFY at all. Readers in the worker's own process are served in memory, never by a round trip.
/// </summary>
internal sealed class PostgresDeltaBus : IDeltaBus, IAsyncDisposable
{
    public const string FramesChannel = "hangar_deltas";
    public const string WatchChannel = "hangar_delta_watch";
    private static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InterestLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FlushLimit = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>Frames waiting to be sent; past it frames are shed (per event, so readers get a prefix).</summary>
    private const int OutboxCapacity = 8192;

    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _listenSource;
    private readonly LocalDeltaBus _local = new();
    private readonly RemoteInterest _remote = new(InterestLifetime);
    private readonly string _origin = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<(string Session, DeltaFrame Frame)> _outbox = Channel.CreateBounded<(string, DeltaFrame)>(
        new BoundedChannelOptions(OutboxCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly HashSet<string> _shed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _queued;
    private long _sent;
    private TaskCompletionSource _sentSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _listening;
    private Task? _sending;
    private Task? _announcing;

    public PostgresDeltaBus(NpgsqlDataSource source, NpgsqlDataSource listenSource)
    {
        _source = source;
        _listenSource = listenSource;
        _local.WatchChanged = (session, watched) => _ = SendWatchAsync(watched ? DeltaWire.Watch(_origin, [session]) : DeltaWire.Unwatch(_origin, session));
    }

    public void Start()
    {
        _listening = Task.Run(ListenAsync, CancellationToken.None);
        _sending = Task.Run(SendFramesAsync, CancellationToken.None);
        _announcing = Task.Run(AnnounceAsync, CancellationToken.None);
    }

    public bool IsWatched(string sessionId) => _local.IsWatched(sessionId) || _remote.IsWatched(sessionId);

    public void Publish(string sessionId, DeltaFrame frame)
    {
        _local.Publish(sessionId, frame);
        if (!_remote.IsWatched(sessionId))
        {
            return;
        }
        foreach (var piece in DeltaWire.Split(frame))
        {
            lock (_shed)
            {
                if (_shed.Contains(piece.EventId) || !_outbox.Writer.TryWrite((sessionId, piece)))
                {
                    if (_shed.Count > 10_000)
                    {
                        _shed.Clear(); // Event ids are unique: old entries only guard events long finished.
                    }
                    _shed.Add(piece.EventId);
                    continue;
                }
                _queued++;
            }
        }
    }

    public async Task FlushAsync(string sessionId, CancellationToken ct)
    {
        long target;
        lock (_shed)
        {
            target = _queued;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(FlushLimit);
        try
        {
            while (Interlocked.Read(ref _sent) < target)
            {
                await Volatile.Read(ref _sentSignal).Task.WaitAsync(limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Best effort: a slow database must not hold the harness; late frames are dropped by readers.
        }
    }

    public DeltaSubscription Subscribe(string sessionId) => _local.Subscribe(sessionId);

    private async Task SendFramesAsync()
    {
        var batch = new List<(string Session, DeltaFrame Frame)>();
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(_stop.Token))
            {
                batch.Clear();
                while (batch.Count < OutboxCapacity && _outbox.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                try
                {
                    foreach (var payload in DeltaWire.Payloads(_origin, batch))
                    {
                        await NotifyAsync(FramesChannel, payload, _stop.Token);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    // Previews are best effort: frames that could not be sent are gone; the log is not.
                }
                Interlocked.Add(ref _sent, batch.Count);
                Interlocked.Exchange(ref _sentSignal, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task NotifyAsync(string channel, string payload, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(ct);
    }

    private async Task SendWatchAsync(string payload)
    {
        try
        {
            await NotifyAsync(WatchChannel, payload, _stop.Token);
        }
        catch (Exception)
        {
            // Announced again within AnnounceEvery.
        }
    }

    /// <summary>Re-announces every locally watched session, so interest outlives restarts of other processes.</summary>
    private async Task AnnounceAsync()
    {
        using var timer = new PeriodicTimer(AnnounceEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await AnnounceAllAsync();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task AnnounceAllAsync()
    {
        foreach (var payload in DeltaWire.Watches(_origin, _local.Watched()))
        {
            await SendWatchAsync(payload);
        }
    }

    private async Task ListenAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenSource.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, e) => Receive(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {FramesChannel}; LISTEN {WatchChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                }
                backoff = TimeSpan.FromMilliseconds(100);
                // Anything announced while this process was not listening is asked for again.
                await SendWatchAsync(DeltaWire.Ask(_origin));
                await AnnounceAllAsync();
                while (true)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Reconnect below: previews pause meanwhile, the log stream does not.
            }
            try
            {
                await Task.Delay(backoff, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void Receive(string channel, string payload)
    {
        if (channel == FramesChannel)
        {
            if (DeltaWire.ReadFrames(payload, _origin) is { } frames)
            {
                foreach (var frame in frames.Frames)
                {
                    _local.Publish(frames.Session, frame);
                }
            }
            return;
        }
        switch (DeltaWire.ReadWatch(payload, _origin))
        {
            case DeltaWire.WatchMessage.Watching w:
                _remote.Add(w.Origin, w.Sessions);
                break;
            case DeltaWire.WatchMessage.Stopped s:
                _remote.Remove(s.Origin, s.Session);
                break;
            case DeltaWire.WatchMessage.Asking:
                _ = AnnounceAllAsync();
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _outbox.Writer.TryComplete();
        foreach (var task in new[] { _listening, _sending, _announcing })
        {
            if (task is not null)
            {
                await task;
            }
        }
        _stop.Dispose();
    }
}
