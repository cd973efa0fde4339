using Hangar.Storage.Sql;

namespace Hangar.Storage.Sqlite;

/// <summary>
/// One caller's write waiting for a group commit: its work, what the work produced, and the
/// caller's task, which completes only once the group the work ran in has committed (or failed).
/// </summary>
internal abstract class QueuedWrite
{
    private const int Waiting = 0;
    private const int Started = 1;
    private const int Abandoned = 2;

    private int _state;

    /// <summary>Claims the write for the writer loop; false when the caller stopped waiting first.</summary>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Started, Waiting) != Waiting)
        {
            return false;
        }
        OnStarted();
        return true;
    }

    /// <summary>Claims the write for its cancelled caller; false once the writer loop has started it.</summary>
    protected bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

    protected abstract void OnStarted();

    /// <summary>Runs the work inside the group's transaction; true when its changes are to be kept.</summary>
    public abstract Task<bool> RunAsync(WriteScope scope);

    /// <summary>What the work threw, if it did (its changes are then rolled back).</summary>
    public abstract Exception? Error { get; }

    /// <summary>The group committed: the caller gets what its work produced, a result or its own error.</summary>
    public abstract void Complete();

    /// <summary>The group did not commit: the caller gets <paramref name="error"/>, or its own if its work had already failed.</summary>
    public abstract void Fail(Exception error);
}

internal sealed class QueuedWrite<T> : QueuedWrite
{
    private readonly Func<WriteScope, Task<T>> _work;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _cancellation;
    private T? _result;
    private Exception? _error;

    public QueuedWrite(Func<WriteScope, Task<T>> work, CancellationToken ct)
    {
        _work = work;
        // Until its work starts, a cancelled caller leaves the queue at once. After that the
        // work sees the token itself, and once it has run it commits with its group regardless.
        _cancellation = ct.Register(() =>
        {
            if (TryAbandon())
            {
                _done.TrySetCanceled(ct);
            }
        });
    }

    /// <summary>Completes (on a pool thread, never on the writer loop) once the group is settled.</summary>
    public Task<T> Completion => _done.Task;

    public override Exception? Error => _error;

    protected override void OnStarted() => _cancellation.Unregister();

    public override async Task<bool> RunAsync(WriteScope scope)
    {
        try
        {
            _result = await _work(scope);
            return !scope.RollbackRequested;
        }
        catch (Exception error)
        {
            _error = error;
            return false;
        }
    }

    public override void Complete()
    {
        if (_error is null)
        {
            _done.TrySetResult(_result!);
        }
        else
        {
            _done.TrySetException(_error);
        }
    }

    public override void Fail(Exception error) => _done.TrySetException(_error ?? error);
}
