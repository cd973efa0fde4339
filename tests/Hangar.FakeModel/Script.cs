namespace Hangar.FakeModel;

/// <summary>
/// The fake's memory: the queue of scripted replies, the optional reply function and every
/// request received. Recording a request and taking its reply happen under one lock, so with
/// parallel requests each one gets exactly one reply and numbers match arrival order.
/// </summary>
internal sealed class Script
{
    private readonly Lock _gate = new();
    private readonly Queue<FakeReply> _queue = new();
    private readonly List<RecordedRequest> _requests = [];
    private Func<RecordedRequest, FakeReply>? _respond;
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>See <see cref="FakeMessagesServer.FirstDeltaWritten"/>.</summary>
    public Action<RecordedRequest, long>? FirstDeltaWritten { get; set; }

    public void Enqueue(FakeReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        lock (_gate)
        {
            _queue.Enqueue(reply);
        }
    }

    public void Respond(Func<RecordedRequest, FakeReply>? respond)
    {
        lock (_gate)
        {
            _respond = respond;
        }
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Numbers and records a request; with <paramref name="answer"/>, also takes its reply source.</summary>
    public (RecordedRequest Request, FakeReply? Queued, Func<RecordedRequest, FakeReply>? Respond) Record(
        Func<int, RecordedRequest> request, bool answer)
    {
        TaskCompletionSource arrived;
        (RecordedRequest, FakeReply?, Func<RecordedRequest, FakeReply>?) taken;
        lock (_gate)
        {
            var recorded = request(_requests.Count + 1);
            _requests.Add(recorded);
            var queued = answer && _queue.Count > 0 ? _queue.Dequeue() : null;
            taken = (recorded, queued, answer && queued is null ? _respond : null);
            arrived = _arrived;
            _arrived = NewSignal();
        }
        arrived.SetResult();
        return taken;
    }

    public async Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_requests.Count >= count)
                {
                    return [.. _requests];
                }
                arrived = _arrived.Task;
            }
            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"fake model: expected {count} request(s) within {timeout}, got {Requests.Count}.");
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
