using System.Collections.Concurrent;
using Hangar.Harness.Tools;

namespace Hangar.Harness.Workers;

/// <summary>
/// The sandboxes of the sessions this process runs, acquired on the first tool call that needs
/// one (never before the first model request unless
/// <see cref="HarnessOptions.EagerSandbox"/>) and disposed when the session goes idle or the
/// process stops. The sandbox is disposable by design: another worker simply acquires its own.
/// </summary>
public sealed class SandboxCache(ISandboxProvider provider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ISandbox>>> _sandboxes = new(StringComparer.Ordinal);

    /// <summary>
    /// The session's sandbox; <paramref name="request"/> (which reads the session's environment and
    /// resources) runs only when there is none yet, so later tool calls cost no store reads.
    /// </summary>
    public async Task<ISandbox> GetAsync(string sessionId, Func<CancellationToken, Task<SandboxRequest>> request, CancellationToken ct)
    {
        var lazy = _sandboxes.GetOrAdd(sessionId, _ => new Lazy<Task<ISandbox>>(async () =>
            await provider.AcquireAsync(await request(CancellationToken.None), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _sandboxes.TryRemove(new(sessionId, lazy));
            throw;
        }
    }

    public async Task ReleaseAsync(string sessionId)
    {
        if (_sandboxes.TryRemove(sessionId, out var lazy) && lazy.IsValueCreated)
        {
            try
            {
                await (await lazy.Value).DisposeAsync();
            }
            catch (Exception) when (lazy.Value.IsFaulted)
            {
                // It never came up; nothing to dispose.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sessionId in _sandboxes.Keys.ToList())
        {
            await ReleaseAsync(sessionId);
        }
    }
}
