using Hangar.Harness.Log;
using Hangar.Storage;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Workers;

/// <summary>
/// The harness of one process: <see cref="HarnessOptions.Concurrency"/> workers sharing a sandbox
/// cache. Stateless across restarts: stopping releases every lease, and any process's workers
/// continue the sessions from their logs.
/// </summary>
public sealed class WorkerPool(IHangarStore store, HarnessOptions options, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SandboxCache _sandboxes = new(options.Sandboxes);
    private readonly SessionLogCache _logs = new(options.LogCacheEvents);
    private readonly ILogger _logger = loggers.CreateLogger("Hangar.Harness");
    private Task[] _workers = [];

    public string Owner => options.Owner;

    public void Start()
    {
        if (_workers.Length > 0)
        {
            throw new InvalidOperationException("The worker pool is already running.");
        }
        _workers = [.. Enumerable.Range(0, Math.Max(1, options.Concurrency))
            .Select(_ => Task.Run(() => new HarnessWorker(store, options, _sandboxes, _logs, _logger).RunAsync(_stop.Token)))];
        HarnessLog.PoolStarted(_logger, options.Owner, _workers.Length);
    }

    /// <summary>Cancels running steps, waits for the workers to release their sessions, disposes sandboxes.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
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
