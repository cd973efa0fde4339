using Microsoft.Extensions.Logging;

namespace Hangar.Cli.Runner;

/// <summary>
/// The heartbeat loop of one work item (behaviour.md "Self-hosted"): <c>expected_last_heartbeat</c> echoes the
/// previous answer (<c>NO_HEARTBEAT</c> first); the interval is clamp(ttl/2, 1 s, 30 s), with 90 s assumed until
/// told. The lease is lost, and <see cref="Lost"/> cancelled, when the item is stopping or stopped, the lease
/// was not extended, a fatal 4xx came back, or no heartbeat succeeded within the TTL (so two runners never
/// serve one session).
/// </summary>
public sealed class LeaseKeeper(RunnerApi api, string environmentId, string workId, int? desiredTtl, ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource lost = new();
    private string? lastHeartbeat;
    private TimeSpan ttl = TimeSpan.FromSeconds(90);

    public CancellationToken Lost => lost.Token;

    /// <summary>Why the lease was lost; null while it holds.</summary>
    public string? Reason { get; private set; }

    /// <summary>The first heartbeat, before any tool runs: false (and <see cref="Reason"/> set) when the lease is not ours.</summary>
    public async Task<bool> StartAsync(CancellationToken ct) => await BeatAsync(ct);

    public async Task RunAsync(CancellationToken ct)
    {
        var lastSuccess = DateTimeOffset.UtcNow;
        while (!lost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var interval = TimeSpan.FromTicks(Math.Clamp(ttl.Ticks / 2, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(30).Ticks));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, lost.Token);
            try
            {
                await Task.Delay(interval, wait.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (await BeatAsync(ct))
                {
                    lastSuccess = DateTimeOffset.UtcNow;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ApiRequestException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Heartbeat of {Work} failed: {Error}", workId, e.Message);
                if (DateTimeOffset.UtcNow - lastSuccess >= ttl)
                {
                    Lose("no heartbeat succeeded within the lease's TTL");
                }
            }
        }
    }

    private async Task<bool> BeatAsync(CancellationToken ct)
    {
        try
        {
            var answer = await api.HeartbeatAsync(environmentId, workId, lastHeartbeat, desiredTtl, ct);
            lastHeartbeat = (string?)answer["last_heartbeat"] ?? lastHeartbeat;
            if ((int?)answer["ttl_seconds"] is > 0 and var seconds)
            {
                ttl = TimeSpan.FromSeconds(seconds);
            }
            var state = (string?)answer["state"];
            if (state is "stopping" or "stopped")
            {
                Lose($"the item is {state}");
            }
            else if (answer["lease_extended"]?.GetValue<bool>() == false)
            {
                Lose("the lease was not extended");
            }
        }
        catch (ApiRequestException e) when (RunnerApi.IsFatal(e))
        {
            Lose($"the heartbeat was refused ({e.Status}: {e.Message})");
        }
        return !lost.IsCancellationRequested;
    }

    private void Lose(string reason)
    {
        Reason ??= reason;
        lost.Cancel();
    }

    public void Dispose() => lost.Dispose();
}
