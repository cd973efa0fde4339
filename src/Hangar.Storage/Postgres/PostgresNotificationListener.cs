using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Holds one connection that LISTENs for appends from every process and wakes local readers.
/// When the connection drops it reconnects with backoff and then wakes every reader, because
/// notifications sent while it was away are lost (readers re-read the log, so that is exact).
/// </summary>
internal sealed class PostgresNotificationListener(NpgsqlDataSource source, LocalEventNotifications local) : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>Starts listening; returns once the first LISTEN is in place (or failed).</summary>
    public Task StartAsync(CancellationToken ct)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return _listening.Task.WaitAsync(ct);
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var reconnecting = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, e) => local.Publish(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSessionLog.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                }
                if (reconnecting)
                {
                    local.PublishAll();
                }
                _listening.TrySetResult();
                backoff = TimeSpan.FromMilliseconds(100);
                while (true)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The first failure is the caller's (a wrong connection string); later ones are retried.
                if (_listening.TrySetException(error))
                {
                    return;
                }
                reconnecting = true;
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }
}
