using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>
/// Follows a running session's log for <c>user.interrupt</c> and cancels the current step
/// (model stream, tool call, retry wait) the moment one arrives, in any process.
/// </summary>
public sealed class InterruptWatch : IDisposable
{
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);
    private readonly EventSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private CancellationTokenSource _current = new();

    public InterruptWatch(IHangarStore store, string sessionId, long afterSeq)
    {
        _subscription = store.Notifications.Subscribe(sessionId);
        _loop = Task.Run(() => FollowAsync(store.Events, sessionId, afterSeq, _stop.Token));
    }

    /// <summary>Cancelled when an interrupt arrives; <see cref="Reset"/> arms a fresh one.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (_gate)
            {
                return _current.Token;
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            if (_current.IsCancellationRequested)
            {
                _current.Dispose();
                _current = new CancellationTokenSource();
            }
        }
    }

    private async Task FollowAsync(ISessionLog log, string sessionId, long afterSeq, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    foreach (var e in await log.ReadAsync(sessionId, afterSeq, 1000, ct))
                    {
                        afterSeq = e.Seq;
                        if (e.Type == "user.interrupt" && e.ProcessedAt is null)
                        {
                            lock (_gate)
                            {
                                _current.Cancel();
                            }
                        }
                    }
                }
                catch (Exception e) when (TransientFailures.IsTransient(e) && !ct.IsCancellationRequested)
                {
                    // A database hiccup: keep watching (the next read is a recheck away), so an
                    // interrupt sent while a step waits out the same hiccup still cuts it short.
                }
                await _subscription.WaitAsync(Recheck, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A read failed for good: the runner still sees the interrupt at its next step.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _subscription.Dispose();
        _stop.Dispose();
        lock (_gate)
        {
            _current.Dispose();
        }
    }
}
