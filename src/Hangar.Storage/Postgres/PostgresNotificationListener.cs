using Npgsql;

namespace Hangar.Storage.Postgres;

/// <summary>
/// Holds one connection that LISTENs for appends from every process and wakes local readers.
/// When the connection drops it reconnects with backoff and then wakes every reader, because
/// notifications sent while it was away are lost (readers re-read the log, so that is exact).
/// The same connection is this process's presence: it holds a session-level advisory lock
/// (<see cref="PresenceNamespace"/>, <see cref="Presence"/>) that PostgreSQL frees the moment the
/// connection's backend ends — when the process dies the kernel closes its socket — so claimers
/// can tell a dead owner from a live one without waiting out a lease's TTL.
/// </summary>
internal sealed class PostgresNotificationListener(NpgsqlDataSource source, LocalEventNotifications local) : IAsyncDisposable
{
    /// <summary>The first key of every presence lock ("Hang"); the second is <see cref="Presence"/>.</summary>
    public const int PresenceNamespace = 0x48616e67;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Kept across reconnects, so leases stamped with it look alive again once it is re-taken.
    private int _presenceKey = Random.Shared.Next(1, int.MaxValue);
    private int _presenceHeld;

    /// <summary>
    /// The key of the presence lock while this process holds it, null while its connection is down
    /// (leases claimed meanwhile fall back to their TTL alone).
    /// </summary>
    public int? Presence => Volatile.Read(ref _presenceHeld) is var key and not 0 ? key : null;

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
                await HoldPresenceAsync(connection, _stop.Token);
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
                Volatile.Write(ref _presenceHeld, 0);
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

    /// <summary>Takes the presence lock on the listening connection; another key when a live process already holds this one.</summary>
    private async Task HoldPresenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key)", connection);
        take.Parameters.AddWithValue("space", PresenceNamespace);
        var key = take.Parameters.AddWithValue("key", _presenceKey);
        while (!(bool)(await take.ExecuteScalarAsync(ct))!)
        {
            _presenceKey = Random.Shared.Next(1, int.MaxValue);
            key.Value = _presenceKey;
        }
        Volatile.Write(ref _presenceHeld, _presenceKey);
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
