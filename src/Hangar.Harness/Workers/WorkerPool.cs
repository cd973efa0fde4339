using Hangar.Harness.Log;
using Hangar.Storage;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Workers;

/// <summary>
/// The harness of one process: <see cref="HarnessOptions.Concurrency"/> workers, plus
/// <see cref="HarnessOptions.TakeoverHeadroom"/> that only take over dead workers' sessions, sharing
/// a sandbox cache. Stateless across restarts: stopping releases every lease, and any process's
/// workers continue the sessions from their logs.
/// </summary>
public sealed class WorkerPool(IHangarStore store, HarnessOptions options, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SandboxCache _sandboxes = new(options.Sandboxes);
    private readonly SessionLogCache _logs = new(options.LogCacheEvents);
    private readonly ILogger _logger = loggers.CreateLogger("Hangar.Harness");
    private Task[] _workers = [];
    private IDisposable? _reporting;

    public string Owner => options.Owner;

    /// <summary>How many sessions of each kind this pool may run, and runs now (also on the <c>Hangar.Harness</c> meter).</summary>
    public WorkerSlots Slots { get; } = new(options.Owner, Math.Max(1, options.Concurrency), Math.Max(0, options.TakeoverHeadroom));

    public void Start()
    {
        if (_workers.Length > 0)
        {
            throw new InvalidOperationException("The worker pool is already running.");
        }
        _reporting = HarnessTelemetry.Report(Slots);
        _workers = [.. new[] { SlotKind.Concurrency, SlotKind.Headroom }
            .SelectMany(kind => Enumerable.Repeat(kind, Slots.Capacity(kind)))
            .Select(kind => Task.Run(() => new HarnessWorker(store, options, _sandboxes, _logs, _logger).RunAsync(Slots, kind, _stop.Token)))];
        HarnessLog.PoolStarted(_logger, options.Owner, Slots.Capacity(SlotKind.Concurrency), Slots.Capacity(SlotKind.Headroom));
    }

    /// <summary>Cancels running steps, waits for the workers to release their sessions, disposes sandboxes.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _reporting?.Dispose();
        await _sandboxes.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }
}
