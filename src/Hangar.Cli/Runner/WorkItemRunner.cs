using System.Text.Json.Nodes;
using Hangar.Harness.Turns;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Cli.Runner;

/// <summary>
/// Serves one claimed, acknowledged work item (one residency of a session): heartbeats, follows the session's
/// stream (<see cref="SessionFollower"/>), runs its built-in tool calls in its sandbox and posts their
/// <c>user.tool_result</c>s, until the session has sat
/// idle for max-idle after its turn, the lease is lost, or the runner stops. On a runner stop the call in
/// flight is cancelled and answered with an error result; the item is released with a stop.
/// </summary>
public sealed class WorkItemRunner(RunnerSettings settings, ISandboxProvider sandboxes, string workerId, ILogger logger)
{
    public const string StoppedMessage = "The runner stopped before the tool finished.";

    public async Task ServeAsync(string workId, string sessionId, WorkSecret secret, CancellationToken stopping)
    {
        // The API the item names (api_base_url in its secret), else the one the runner was started with.
        using var api = new RunnerApi(secret.ApiBaseUrl ?? settings.ApiUrl, secret.SessionsToken, workerId);
        using var lease = new LeaseKeeper(api, settings.EnvironmentId, workId, settings.DesiredTtl, logger);
        if (!await lease.StartAsync(stopping))
        {
            logger.LogWarning("Gave up {Work} before running anything: {Reason}", workId, lease.Reason);
            return;
        }
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeats = lease.RunAsync(beating.Token);
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease.Lost);
        await using var follower = new SessionFollower(api, sessionId);
        ISandbox? sandbox = null;
        // Newer claims get higher epochs: a sandbox of a dead runner on this host yields the workspace to us.
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reason = "";
        try
        {
            // Calls answered here; the stream may bring our own result after we look at the log again.
            var answered = new HashSet<string>(StringComparer.Ordinal);
            DateTimeOffset? idleSince = null;
            var change = SessionFollower.Change.Dropped;
            var reconnects = 0;
            while (true)
            {
                if (change == SessionFollower.Change.Dropped)
                {
                    if (reconnects++ > 0)
                    {
                        await Task.Delay(ReconnectDelay(reconnects), serving.Token);
                    }
                    try
                    {
                        await follower.ConnectAsync(serving.Token);
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException
                        || (e is ApiRequestException refused && !RunnerApi.IsFatal(refused)))
                    {
                        // The API is briefly unreachable or overloaded: the lease keeper decides when to give up.
                        logger.LogWarning("Could not follow {Session}: {Error}; retrying", sessionId, e.Message);
                        continue;
                    }
                }
                var calls = SessionCalls.Of(follower.Events);
                foreach (var use in calls.Runnable.Where(u => !answered.Contains((string)u["id"]!)))
                {
                    sandbox ??= await sandboxes.AcquireAsync(
                        new SandboxRequest(settings.EnvironmentId, sessionId, new JsonObject { ["type"] = "self_hosted" }) { LeaseEpoch = epoch }, serving.Token);
                    await RunAsync(api, sandbox, sessionId, use, stopping, serving.Token);
                    answered.Add((string)use["id"]!);
                }
                idleSince = calls.IdleAfterTurn ? idleSince ?? DateTimeOffset.UtcNow : null;
                var idleLeft = idleSince is { } since ? settings.MaxIdle - (DateTimeOffset.UtcNow - since) : Timeout.InfiniteTimeSpan;
                if (idleSince is not null && idleLeft <= TimeSpan.Zero)
                {
                    reason = $"idle for {settings.MaxIdle.TotalSeconds:0.#}s after its turn";
                    break;
                }
                change = await follower.WaitAsync(idleLeft, serving.Token);
                if (change == SessionFollower.Change.Events)
                {
                    reconnects = 0;
                }
            }
        }
        catch (OperationCanceledException) when (serving.IsCancellationRequested)
        {
            reason = lease.Reason ?? "the runner is stopping";
        }
        catch (ApiRequestException e) when (RunnerApi.IsFatal(e))
        {
            reason = $"the API refused the runner ({e.Status}: {e.Message})";
        }
        finally
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync(); // The workspace stays for the session's next residency.
            }
        }
        // The lease is kept until the last result is posted; stopped only now.
        await beating.CancelAsync();
        try
        {
            await heartbeats;
        }
        catch (OperationCanceledException)
        {
        }
        if (lease.Reason is null)
        {
            await ReleaseAsync(api, workId);
        }
        logger.LogInformation("Released {Work} of {Session}: {Reason}", workId, sessionId, reason);
    }

    /// <summary>A dropped stream is reopened at once, then after 0.25, 0.5, 1 … up to 5 s while it keeps dropping.</summary>
    private static TimeSpan ReconnectDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 125 * Math.Pow(2, Math.Min(attempt - 1, 6))));

    private async Task RunAsync(RunnerApi api, ISandbox sandbox, string sessionId, JsonObject use, CancellationToken stopping, CancellationToken ct)
    {
        var call = SessionCalls.ToolCallOf(use);
        logger.LogInformation("Running {Tool} call {Use} of {Session}", call.Name, call.IdempotencyKey, sessionId);
        ToolResult result;
        try
        {
            result = await sandbox.ExecuteAsync(call, ct);
            result = await ToolOutput.LimitAsync(result, call.IdempotencyKey, settings.MaxToolOutputChars, sandbox, ct);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && ct.IsCancellationRequested)
        {
            // Stopped by the operator (SIGTERM/Ctrl-C): the call is answered, so the session does not wait on
            // a runner that is gone. A lost lease posts nothing: the item's new holder runs the call.
            await PostAsync(api, sessionId, call.IdempotencyKey, ToolResult.Text(StoppedMessage, isError: true), CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException and not SandboxGoneException)
        {
            result = ToolResult.Text($"The runner could not run the tool: {e.Message}", isError: true);
        }
        await PostAsync(api, sessionId, call.IdempotencyKey, result, ct);
    }

    private async Task PostAsync(RunnerApi api, string sessionId, string useId, ToolResult result, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await api.PostEventAsync(sessionId, SessionCalls.Result(useId, result), timeout.Token);
            logger.LogInformation("Posted result of {Use} to {Session} (is_error: {IsError})", useId, sessionId, result.IsError);
        }
        catch (ApiRequestException e) when (e.Status == 400)
        {
            // Answered already (by a runner before us, or the session moved on): nothing appended, nothing lost.
            logger.LogWarning("The result of {Use} was not taken: {Error}", useId, e.Message);
        }
    }

    private async Task ReleaseAsync(RunnerApi api, string workId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            // Our own lease: released at once, so the session's next work gets a fresh item any runner may claim.
            await api.StopAsync(settings.EnvironmentId, workId, force: true, timeout.Token);
        }
        catch (Exception e) when (e is ApiRequestException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("Could not stop {Work}: {Error} (its lease lapses on its own)", workId, e.Message);
        }
    }
}
