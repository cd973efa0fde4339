using System.Text.Json.Nodes;
using Hangar.Harness.Log;
using Hangar.Harness.Mcp;
using Hangar.Harness.Workers;
using Hangar.Storage;
using Hangar.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Harness.Turns;

/// <summary>Carries out one <see cref="SessionStep"/> as fenced writes (and the model or tool call it needs).</summary>
public sealed class StepExecutor(
    IHangarStore store, HarnessOptions options, SessionWriter writer, SandboxCache sandboxes, SessionLease lease, bool selfHosted = false,
    ILogger? logger = null)
{
    public const string InterruptedMessage = "Interrupted by the user.";

    public Task ExecuteAsync(SessionStep step, IReadOnlyList<LoggedEvent> log, LogState state, CancellationToken ct) => step switch
    {
        SessionStep.Interrupt s => InterruptAsync(s, state, ct),
        SessionStep.CloseOpenRequest s => writer.WriteAsync(
            new([HarnessEvents.ModelRequestEnd(s.StartId, true, Models.ModelUsage.Zero, null, writer.Now)]), ct),
        SessionStep.StartTurn or SessionStep.Resume => StartTurnAsync(state, ct),
        SessionStep.AwaitWorker => AwaitWorkerAsync(state, ct),
        SessionStep.AcceptResults s => writer.WriteAsync(new([]) { Processed = s.ResultIds }, ct),
        SessionStep.Deny s => writer.WriteAsync(
            new([.. s.Calls.Select(c => HarnessEvents.ToolResult(c.Use.Id, c.ResultType,
                [new JsonObject { ["type"] = "text", ["text"] = c.DenyMessage ?? Context.ToolPermission.DeniedMessage(c.Name) }], true, writer.Now))])
            {
                Processed = [.. s.Calls.Where(c => c.ConfirmationId is not null).Select(c => c.ConfirmationId!)],
            }, ct),
        SessionStep.RunTool s => RunToolAsync(s.Call, state, ct),
        SessionStep.Wait s => WaitAsync(s, state, ct),
        SessionStep.CallModel s => CallModelAsync(s, log, state, ct),
        SessionStep.GiveUp => ModelTurn.EndWithErrorAsync(writer, [], "model_request_failed_error",
            "The model request kept failing (or the worker running it kept stopping).", state, ct),
        SessionStep.EndTurn s => IdleAsync(StopReason(s.StopReason), [], ct),
        SessionStep.Settle => writer.WriteAsync(
            new([]) { Processed = [.. Ids(state.QueuedOther), .. writer.Row.Ended ? Ids(state.QueuedMessages) : []], WorkDone = true }, ct),
        _ => throw new InvalidOperationException($"Unknown step {step}."),
    };

    private async Task StartTurnAsync(LogState state, CancellationToken ct)
    {
        if (selfHosted)
        {
            // Queued now, so a worker attaches while the model thinks, not after its first tool call.
            await EnqueueWorkAsync(ct);
        }
        await writer.WriteAsync(
            new([HarnessEvents.Status("session.status_running", writer.Now)]) { Status = "running", Processed = Ids(state.QueuedOther) }, ct);
    }

    /// <summary>
    /// The calls are the worker's: make sure a work item lives for the session, then let go of it
    /// (work done, still running) until the worker's <c>user.tool_result</c> flags new work.
    /// </summary>
    private async Task AwaitWorkerAsync(LogState state, CancellationToken ct)
    {
        await EnqueueWorkAsync(ct);
        await writer.WriteAsync(new([]) { Processed = Ids(state.QueuedOther), WorkDone = true }, ct);
    }

    private Task EnqueueWorkAsync(CancellationToken ct) =>
        store.Work.EnqueueAsync(lease.WorkspaceId, writer.Row.EnvironmentId!, lease.SessionId, writer.Now, ct);

    private McpSessionServers Mcp => new(options, lease.WorkspaceId, lease.SessionId, writer.Row.VaultIds, writer.Row.Agent);

    private async Task CallModelAsync(SessionStep.CallModel step, IReadOnlyList<LoggedEvent> log, LogState state, CancellationToken ct)
    {
        if (options.EagerSandbox)
        {
            try
            {
                await sandboxes.GetAsync(lease, SandboxRequestAsync, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Reported where it matters: the first tool call acquires again and ends the turn if it fails.
            }
        }
        await new ModelTurn(options, writer, Mcp, store.Deltas, lease.SessionId).RunAsync(log, state, step.Attempt, ct);
    }

    private async Task RunToolAsync(PendingCall call, LogState state, CancellationToken ct)
    {
        var input = call.Use.Json["input"]?.DeepClone() as JsonObject ?? [];
        var events = new List<NewEvent>();
        ToolResult result;
        if (call.Use.Type == "agent.mcp_tool_use")
        {
            // Host side, never in the sandbox: the credential stays out of it.
            var (output, error) = await Mcp.CallAsync(call.Use.String("mcp_server_name") ?? "", call.Name, input, options.MaxToolOutputChars, options.Time, ct);
            result = output;
            if (error is not null)
            {
                events.Add(error);
            }
        }
        else if (BuiltInTools.HostNames.Contains(call.Name))
        {
            // Server tools: run here, never in the sandbox (so they don't provision one either).
            var config = WebToolConfig.FromAgent(writer.Row.Agent, call.Name);
            result = call.Name == "web_fetch"
                ? options.WebFetcher is { } fetcher
                    ? await fetcher.FetchAsync(input, config, ct)
                    : ToolResult.Text("web_fetch is not configured on this Hangar server.", isError: true)
                : options.WebSearch is { } search
                    ? await search.SearchAsync(input, config, ct)
                    : ToolResult.Text(WebSearch.NotConfiguredMessage, isError: true);
        }
        else if (await RunInSandboxAsync(call, input, state, ct) is { } output)
        {
            result = output;
        }
        else
        {
            return; // No sandbox: the turn ended.
        }
        events.Add(HarnessEvents.ToolResult(call.Use.Id, call.ResultType, result.Content, result.IsError, writer.Now));
        await writer.WriteAsync(new(events) { Processed = call.ConfirmationId is null ? null : [call.ConfirmationId] }, ct);
    }

    /// <summary>
    /// Runs a built-in tool in the session's sandbox; null when none could be had (the turn was ended). A
    /// sandbox found torn down (lease lost, taken over, host stopping) is never the call's result: while
    /// the lease holds, the call runs again in a fresh sandbox (cancellation wins when the lease is gone).
    /// </summary>
    private async Task<ToolResult?> RunInSandboxAsync(PendingCall call, JsonObject input, LogState state, CancellationToken ct)
    {
        const int Attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            ISandbox sandbox;
            try
            {
                sandbox = await sandboxes.GetAsync(lease, SandboxRequestAsync, ct);
            }
            catch (SandboxGoneException)
            {
                // Refused at acquisition: a newer lease owns the session's workspace, so this one is lost.
                throw new LeaseLostException(lease.SessionId, lease.Epoch);
            }
            catch (Exception e) when (e is not OperationCanceledException && !TransientFailures.IsTransient(e))
            {
                await SandboxFailedAsync(e, state, ct);
                return null;
            }
            try
            {
                var result = await sandbox.ExecuteAsync(new ToolCall(call.Name, input, call.Use.Id), ct);
                return await ToolOutput.LimitAsync(result, call.Use.Id, options.MaxToolOutputChars, sandbox, ct);
            }
            catch (SandboxGoneException) when (attempt < Attempts)
            {
                ct.ThrowIfCancellationRequested();
                await sandboxes.DiscardAsync(lease, sandbox);
            }
        }
    }

    /// <summary>
    /// No sandbox for this session (e.g. an environment package failed to install): retrying the call would
    /// fail the same way (and left to the worker it would loop with the session stuck "running"), so the turn
    /// ends like an exhausted one, as the spec does for tool config found invalid at first use: every open
    /// call gets an error result (tool_use/tool_result pairs stay whole), then <c>session.error{unknown_error,
    /// exhausted}</c> with the reason and <c>status_idle{retries_exhausted}</c>. A new message tries again.
    /// Passing failures (the database briefly full or down: <see cref="TransientFailures"/>) never come
    /// here: they propagate, and the turn runner retries the step.
    /// </summary>
    private Task SandboxFailedAsync(Exception e, LogState state, CancellationToken ct)
    {
        // The session's log is the tenant's to read: host paths (state and data directories) are scrubbed from it;
        // the operator's log keeps the whole failure.
        (logger ?? NullLogger.Instance).LogWarning(e, "Session {SessionId}: no sandbox", lease.SessionId);
        var message = HostPathScrubber.Scrub(e is SandboxProvisioningException
            ? $"The sandbox could not be prepared: {e.Message}"
            : $"The sandbox could not be started: {e.Message}");
        var now = writer.Now;
        var results = state.Pending.Select(c => HarnessEvents.ToolResult(c.Use.Id, c.ResultType,
            [new JsonObject { ["type"] = "text", ["text"] = message }], true, now)).ToList();
        if (e is RepositoryProvisioningException repository)
        {
            // The API's own type for it, "retrying" as the spec fixes: the next sandbox start
            // (the next message) clones again, so a fixed token or branch needs no new session.
            results.Add(HarnessEvents.Build("session.error", now, evt => evt["error"] = new JsonObject
            {
                ["type"] = repository.ErrorType,
                ["message"] = message,
                ["retry_status"] = new JsonObject { ["type"] = "retrying" },
                ["repository_url"] = repository.RepositoryUrl,
            }));
        }
        return ModelTurn.EndWithErrorAsync(writer, results, "unknown_error", message, state, ct);
    }

    private async Task<SandboxRequest> SandboxRequestAsync(CancellationToken ct)
    {
        var environmentId = writer.Row.EnvironmentId;
        var environment = environmentId is null ? null : await store.Resources.GetAsync(ResourceKind.Environment, lease.WorkspaceId, environmentId, ct);
        var config = environment is null ? [] : JsonNode.Parse(environment.Json)?["config"] as JsonObject ?? [];
        // Read now, not from the row taken at wake-up: resources may have been added since.
        var session = await store.Resources.GetAsync(ResourceKind.Session, lease.WorkspaceId, lease.SessionId, ct);
        return new SandboxRequest(lease.WorkspaceId, lease.SessionId, config)
        {
            LeaseEpoch = lease.Epoch,
            Files = SessionFiles.Of(store, lease.WorkspaceId, session),
            Repositories = SessionRepositories.Of(session, options.OpenResourceToken),
            Secrets = options.SandboxSecrets is { } secrets && writer.Row.VaultIds.Count > 0
                ? await secrets.ForSessionAsync(lease.WorkspaceId, lease.SessionId, writer.Row.VaultIds, ct)
                : [],
        };
    }

    private Task WaitAsync(SessionStep.Wait step, LogState state, CancellationToken ct)
    {
        var announced = state.LastStatus == "session.status_idle"
            && state.LastIdle?.Json["stop_reason"]?["event_ids"] is JsonArray ids
            && ids.Select(i => (string?)i).SequenceEqual(step.EventIds);
        return announced
            ? writer.WriteAsync(new([]) { Processed = Ids(state.QueuedOther), WorkDone = true }, ct)
            : IdleAsync(HarnessEvents.RequiresAction(step.EventIds), Ids(state.QueuedOther), ct);
    }

    private async Task InterruptAsync(SessionStep.Interrupt step, LogState state, CancellationToken ct)
    {
        var now = writer.Now;
        var events = new List<NewEvent>();
        if (state.OpenRequestId is { } open)
        {
            events.Add(HarnessEvents.ModelRequestEnd(open, true, Models.ModelUsage.Zero, null, now));
        }
        // Every call left without a result gets one, so the tool_use/tool_result pairs stay whole.
        events.AddRange(state.Pending.Select(c => HarnessEvents.ToolResult(c.Use.Id, c.ResultType,
            [new JsonObject { ["type"] = "text", ["text"] = InterruptedMessage }], true, now)));
        List<string> processed = [.. step.InterruptIds, .. Ids(state.QueuedOther)];
        if (!state.InTurn && state.Pending.Count == 0)
        {
            await writer.WriteAsync(new(events) { Processed = processed }, ct); // Nothing running: just acknowledged.
            return;
        }
        await IdleAsync(HarnessEvents.StopReason("end_turn"), processed, ct, events);
    }

    private async Task IdleAsync(JsonObject stopReason, IReadOnlyList<string> processed, CancellationToken ct, List<NewEvent>? first = null)
    {
        var now = writer.Now;
        writer.Row.Advance("idle", now);
        var stopDetails = (string?)stopReason["type"] == "refusal"
            ? new JsonObject { ["type"] = "refusal", ["category"] = null, ["explanation"] = null }
            : null;
        List<NewEvent> events = [.. first ?? [], HarnessEvents.Usage(writer.Row.Usage, now), HarnessEvents.Idle(stopReason, now, stopDetails)];
        await writer.WriteAsync(new(events) { Status = "idle", Processed = processed, WorkDone = true }, ct);
    }

    private static JsonObject StopReason(string modelStopReason) =>
        HarnessEvents.StopReason(modelStopReason == "refusal" ? "refusal" : "end_turn");

    private static List<string> Ids(IEnumerable<LoggedEvent> events) => [.. events.Select(e => e.Id)];
}
