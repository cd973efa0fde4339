using System.Text.Json.Nodes;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Cli.Runner;

/// <summary>
/// <c>hangar runner</c>'s main loop: long-polls the environment's queue with the environment key while a
/// slot is free (<see cref="RunnerSettings.Concurrency"/>), acknowledges each claim and serves it with a
/// <see cref="WorkItemRunner"/>. Empty polls are followed by a short jittered pause; transient failures back
/// off exponentially up to 60 s; a fatal 4xx (revoked key, wrong environment) stops the runner.
/// </summary>
public sealed class WorkRunner(RunnerSettings settings, ISandboxProvider sandboxes, ILoggerFactory loggers)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly ILogger logger = loggers.CreateLogger("Hangar.Runner");

    public string WorkerId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Runs until <paramref name="ct"/> is cancelled (returns 0) or the API refuses the key (returns 1).</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var api = new RunnerApi(settings.ApiUrl, settings.Key, WorkerId);
        using var slots = new SemaphoreSlim(settings.Concurrency);
        var serving = new List<Task>();
        var backoff = TimeSpan.Zero;
        var exit = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await slots.WaitAsync(ct);
                JsonObject? work = null;
                try
                {
                    work = await api.PollAsync(settings.EnvironmentId, ct);
                    backoff = TimeSpan.Zero;
                    if (work is not null && await ClaimAsync(api, work, ct) is { } item)
                    {
                        serving.RemoveAll(t => t.IsCompleted);
                        serving.Add(ServeAsync(item, slots, ct));
                        continue;
                    }
                }
                catch (ApiRequestException e) when (RunnerApi.IsFatal(e))
                {
                    logger.LogError("The API refused this runner ({Status} {Type}): {Error}", e.Status, e.ErrorType, e.Message);
                    exit = 1;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or ApiRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    logger.LogWarning("Poll failed ({Error}); retrying in {Seconds:0}s", e.Message, backoff.TotalSeconds);
                }
                slots.Release();
                // Jittered, so many runners don't poll in step; the long poll already bounds the request rate.
                await Task.Delay(backoff == TimeSpan.Zero && work is null ? TimeSpan.FromMilliseconds(Random.Shared.Next(100, 500)) : backoff, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(serving);
        return exit;
    }

    /// <summary>Acknowledges a claimed session item; null (the item stopped) for a healthcheck or one another runner took.</summary>
    private async Task<(string WorkId, string SessionId, WorkSecret Secret)?> ClaimAsync(RunnerApi api, JsonObject work, CancellationToken ct)
    {
        var workId = (string)work["id"]!;
        try
        {
            await api.AckAsync(settings.EnvironmentId, workId, ct);
        }
        catch (ApiRequestException e) when (e.Status is 404 or 409)
        {
            logger.LogInformation("Claim of {Work} lost before its ack: {Error}", workId, e.Message);
            return null;
        }
        if ((string?)work["data"]?["type"] != "session" || (string?)work["secret"] is not { Length: > 0 } secret)
        {
            // A healthcheck: answered by acknowledging it. Stopped with the environment key.
            await api.StopAsync(settings.EnvironmentId, workId, force: true, ct);
            return null;
        }
        var sessionId = (string)work["data"]!["id"]!;
        logger.LogInformation("Claimed {Work} for session {Session}", workId, sessionId);
        return (workId, sessionId, WorkSecret.Parse(secret));
    }

    private async Task ServeAsync((string WorkId, string SessionId, WorkSecret Secret) item, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await Task.Yield();
            await new WorkItemRunner(settings, sandboxes, WorkerId, logger).ServeAsync(item.WorkId, item.SessionId, item.Secret, ct);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Serving {Work} of {Session} failed", item.WorkId, item.SessionId);
        }
        finally
        {
            slots.Release();
        }
    }
}
