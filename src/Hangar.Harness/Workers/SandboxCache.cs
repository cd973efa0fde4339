using System.Collections.Concurrent;
using Hangar.Storage;
using Hangar.Tools;

namespace Hangar.Harness.Workers;

/// <summary>
/// The sandboxes of the sessions this process runs, acquired on the first tool call that needs
/// one (never before the first model request unless <see cref="HarnessOptions.EagerSandbox"/>) and
/// disposed when the session goes idle, its lease is lost, or the process stops. Each sandbox belongs
/// to the lease (epoch) that acquired it: a worker that lost a lease disposes only the sandbox of that
/// lease, never one a newer lease of the same session acquired since. A sandbox kept while its session
/// waits on the client (<see cref="Keep"/>) passes to this process's next lease of the session only
/// when nobody else held the session in between (epoch + 1), as the log cache does.
/// </summary>
public sealed class SandboxCache(ISandboxProvider provider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The sandbox of <paramref name="lease"/>'s session; <paramref name="request"/> (which reads the
    /// session's environment and resources) runs only when there is none yet, so later tool calls cost
    /// no store reads.
    /// </summary>
    public async Task<ISandbox> GetAsync(SessionLease lease, Func<CancellationToken, Task<SandboxRequest>> request, CancellationToken ct)
    {
        var entry = await EntryForAsync(lease, request);
        try
        {
            return await entry.Sandbox.Value.WaitAsync(ct);
        }
        catch (Exception) when (entry.Sandbox.Value.IsFaulted || entry.Sandbox.Value.IsCanceled)
        {
            _entries.TryRemove(new(lease.SessionId, entry));
            throw;
        }
    }

    /// <summary>The sandbox <paramref name="lease"/> has running, if one came up; never starts one.</summary>
    public ISandbox? Current(SessionLease lease) =>
        _entries.TryGetValue(lease.SessionId, out var entry) && entry.Epoch == lease.Epoch && entry.Sandbox.IsValueCreated
            && entry.Sandbox.Value.IsCompletedSuccessfully ? entry.Sandbox.Value.Result : null;

    /// <summary>Keeps the lease's sandbox for this process's next lease of the session (it waits on its client).</summary>
    public void Keep(SessionLease lease)
    {
        if (_entries.TryGetValue(lease.SessionId, out var entry) && entry.Epoch == lease.Epoch)
        {
            _entries.TryUpdate(lease.SessionId, entry with { Kept = true }, entry);
        }
    }

    /// <summary>Disposes the sandbox <paramref name="lease"/> acquired, if it is still cached under that lease.</summary>
    public Task ReleaseAsync(SessionLease lease) =>
        _entries.TryGetValue(lease.SessionId, out var entry) && entry.Epoch == lease.Epoch ? DropAsync(lease.SessionId, entry) : Task.CompletedTask;

    /// <summary>Disposes <paramref name="gone"/> and forgets it (a call found it torn down); the next call gets a fresh one.</summary>
    public async Task DiscardAsync(SessionLease lease, ISandbox gone)
    {
        if (_entries.TryGetValue(lease.SessionId, out var entry) && entry.Sandbox.IsValueCreated
            && entry.Sandbox.Value.IsCompletedSuccessfully && ReferenceEquals(entry.Sandbox.Value.Result, gone))
        {
            await DropAsync(lease.SessionId, entry);
        }
    }

    private async Task<Entry> EntryForAsync(SessionLease lease, Func<CancellationToken, Task<SandboxRequest>> request)
    {
        while (true)
        {
            if (!_entries.TryGetValue(lease.SessionId, out var entry))
            {
                var created = new Entry(lease.Epoch, false, new Lazy<Task<ISandbox>>(async () =>
                    await provider.AcquireAsync(await request(CancellationToken.None), CancellationToken.None)));
                if (_entries.TryAdd(lease.SessionId, created))
                {
                    return created;
                }
                continue;
            }
            if (entry.Epoch == lease.Epoch)
            {
                return entry;
            }
            if (entry.Kept && entry.Epoch == lease.Epoch - 1)
            {
                var adopted = entry with { Epoch = lease.Epoch, Kept = false };
                if (_entries.TryUpdate(lease.SessionId, adopted, entry))
                {
                    return adopted;
                }
                continue;
            }
            // An older lease's sandbox that was not handed on: its holder lost the session. Ours is new.
            await DropAsync(lease.SessionId, entry);
        }
    }

    private async Task DropAsync(string sessionId, Entry entry)
    {
        if (!_entries.TryRemove(new(sessionId, entry)) || !entry.Sandbox.IsValueCreated)
        {
            return;
        }
        try
        {
            await (await entry.Sandbox.Value).DisposeAsync();
        }
        catch (Exception) when (entry.Sandbox.Value.IsFaulted || entry.Sandbox.Value.IsCanceled)
        {
            // It never came up; nothing to dispose.
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (sessionId, entry) in _entries.ToList())
        {
            await DropAsync(sessionId, entry);
        }
    }

    /// <summary>A sandbox (started on first use) and the lease epoch it belongs to.</summary>
    private sealed record Entry(long Epoch, bool Kept, Lazy<Task<ISandbox>> Sandbox);
}
