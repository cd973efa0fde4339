namespace Hangar.Harness.Workers;

/// <summary>What a worker loop of a pool may run.</summary>
public enum SlotKind
{
    /// <summary>One of <see cref="HarnessOptions.Concurrency"/>: any claimable session, interrupted ones first.</summary>
    Concurrency,

    /// <summary>One of <see cref="HarnessOptions.TakeoverHeadroom"/>: interrupted sessions only.</summary>
    Headroom,
}

/// <summary>
/// The slots of one <see cref="WorkerPool"/>: how many of each kind it has and runs now (what the
/// <c>Hangar.Harness</c> meter reports), and the turn that lets one idle headroom loop at a time
/// look for interrupted sessions.
/// </summary>
public sealed class WorkerSlots(string owner, int concurrency, int headroom)
{
    private int _runningConcurrency;
    private int _runningHeadroom;

    public string Owner { get; } = owner;

    public int Capacity(SlotKind kind) => kind == SlotKind.Headroom ? headroom : concurrency;

    public int Running(SlotKind kind) => Volatile.Read(ref RunningCount(kind));

    /// <summary>
    /// Held by the idle headroom loop that is polling for interrupted sessions. Headroom loops get
    /// no wake-up signal (a lease expiring writes nothing), so they poll; one poller per pool finds
    /// the same sessions as all of them would, at a fraction of the queries, and on a claim hands
    /// the turn to the next idle loop at once, which looks again for the dead worker's other sessions.
    /// </summary>
    internal SemaphoreSlim TakeoverScan { get; } = new(1, 1);

    /// <summary>A loop of <paramref name="kind"/> claimed a session; <paramref name="interrupted"/>: a dead owner's.</summary>
    internal void Started(SlotKind kind, bool interrupted)
    {
        Interlocked.Increment(ref RunningCount(kind));
        if (interrupted)
        {
            HarnessTelemetry.Takeovers.Add(1, HarnessTelemetry.Tags(this, kind));
        }
    }

    internal void Finished(SlotKind kind) => Interlocked.Decrement(ref RunningCount(kind));

    private ref int RunningCount(SlotKind kind) => ref kind == SlotKind.Headroom ? ref _runningHeadroom : ref _runningConcurrency;
}
