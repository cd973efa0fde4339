using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hangar.Cli.Runner;

/// <summary>
/// Follows one session's events the way the SDK workers do (behaviour.md "Streaming contract"): open the SSE
/// stream first, then list the history and merge it, deduplicated by event id, so nothing appended between
/// the two is missed. A dropped stream is reopened the same way. Holds every event seen, oldest first.
/// </summary>
public sealed class SessionFollower(RunnerApi api, string sessionId) : IAsyncDisposable
{
    /// <summary>What <see cref="WaitAsync"/> saw.</summary>
    public enum Change
    {
        /// <summary>New events were added to <see cref="Events"/>.</summary>
        Events,

        /// <summary>Nothing arrived within the wait.</summary>
        Quiet,

        /// <summary>The stream ended or failed: <see cref="ConnectAsync"/> again.</summary>
        Dropped,
    }

    private readonly List<JsonObject> _events = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private Channel<JsonObject>? _live;
    private CancellationTokenSource? _reading;
    private Task? _reader;

    public IReadOnlyList<JsonObject> Events => _events;

    /// <summary>(Re)connects: stream open, then the history merged in.</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        await CloseAsync();
        var stream = await api.OpenStreamAsync(sessionId, ct);
        var live = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _live = live;
        _reader = PumpAsync(stream, live.Writer, _reading.Token);
        foreach (var e in await api.EventsAsync(sessionId, ct))
        {
            Add(e);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> (infinite allowed) for the stream to bring something.</summary>
    public async Task<Change> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var live = _live ?? throw new InvalidOperationException("Connect first.");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            wait.CancelAfter(timeout);
        }
        try
        {
            if (!await live.Reader.WaitToReadAsync(wait.Token))
            {
                return Change.Dropped;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Change.Quiet;
        }
        var added = false;
        while (live.Reader.TryRead(out var e))
        {
            added |= Add(e);
        }
        return added ? Change.Events : Change.Quiet;
    }

    private bool Add(JsonObject e)
    {
        if ((string?)e["id"] is not { } id || !_ids.Add(id))
        {
            return false;
        }
        _events.Add(e);
        return true;
    }

    private static async Task PumpAsync(EventStream stream, ChannelWriter<JsonObject> live, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await foreach (var frame in stream.ReadAsync(ct))
            {
                // Pings keep the connection alive; session events carry their type and id in the data.
                if (frame.EventType != "ping" && JsonNode.Parse(frame.Data) is JsonObject e && e["id"] is not null)
                {
                    live.TryWrite(e);
                }
            }
        }
        catch (Exception)
        {
            // Cancelled, reset, cut mid-frame: whichever, the follower reconnects and relists.
        }
        finally
        {
            await stream.DisposeAsync();
            live.TryComplete();
        }
    }

    private async Task CloseAsync()
    {
        if (_reading is not null)
        {
            await _reading.CancelAsync();
            await _reader!;
            _reading.Dispose();
            _reading = null;
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();
}
