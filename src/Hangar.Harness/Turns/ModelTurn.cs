using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Context;
using Hangar.Harness.Log;
using Hangar.Harness.Mcp;
using Hangar.Harness.Models;
using Hangar.Harness.Workers;
using Hangar.Storage;
using Hangar.Storage.Deltas;

namespace Hangar.Harness.Turns;

/// <summary>
/// One model request (docs/harness.md, "One model request"): span start (taking the queued user
/// messages it includes), the streamed call, then the whole response and the span end in one
/// write — or, on failure, the error events and either a rescheduled retry or the end of the turn.
/// </summary>
/// <param name="previews">Where live previews of the response go (<see cref="PreviewRelay"/>).</param>
public sealed class ModelTurn(HarnessOptions options, SessionWriter writer, McpSessionServers mcp, IDeltaBus previews, string sessionId)
{
    public async Task RunAsync(IReadOnlyList<LoggedEvent> log, LogState state, int attempt, CancellationToken ct)
    {
        var agent = writer.Row.Agent;
        var (discovered, mcpErrors) = await DiscoverMcpToolsAsync(agent, log, ct);
        var context = BuildContext(agent, log, discovered);
        var request = new ModelRequest(context.Body);
        if (context.EstimatedTokens > ModelWindows.For(request.Model) * options.CompactionThreshold
            && await new Compactor(options, writer).TryCompactAsync(log, context, ct))
        {
            return; // The next step rebuilds the (now shorter) context.
        }

        var startId = Ids.New(Ids.Event);
        var catalog = discovered is null ? null : new JsonObject { [McpToolCatalog.PrivateKey] = discovered.ToJson() };
        await writer.WriteAsync(
            new([.. mcpErrors, HarnessEvents.ModelRequestStart(startId, writer.Now, catalog)]) { Processed = context.ConsumedUserEventIds }, ct);
        ModelResponse response;
        var relay = new PreviewRelay(previews, sessionId);
        try
        {
            using var activity = HarnessTelemetry.Start(HarnessTelemetry.Model);
            response = await options.Models.For(request.Model).StreamAsync(ModelSettings.Apply(request, agent), relay, ct);
        }
        catch (ModelException e)
        {
            await FlushPreviewsAsync(relay, ct);
            await FailAsync(startId, e, attempt, state, ct);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FlushPreviewsAsync(relay, ct);
            await FailAsync(startId, new ModelException(ModelFailure.Transient, e.Message, inner: e), attempt, state, ct);
            return;
        }

        // Previews leave before the event they preview is logged (readers drop any that come later).
        await FlushPreviewsAsync(relay, ct);
        var now = writer.Now;
        var events = ResponseEvents.From(response, new AgentTools(agent, options.BuiltInTools, discovered ?? McpToolCatalog.Latest(log)), now, relay.IdOf);
        events.Add(HarnessEvents.ModelRequestEnd(startId, false, response.Usage, response.StopReason, now));
        writer.Row.AddUsage(response.Usage);
        await writer.WriteAsync(new(events), ct);
    }

    private Task FlushPreviewsAsync(PreviewRelay relay, CancellationToken ct) =>
        relay.Published ? previews.FlushAsync(sessionId, ct) : Task.CompletedTask;

    private BuiltContext BuildContext(JsonObject agent, IReadOnlyList<LoggedEvent> log, McpToolCatalog? discovered)
    {
        using var activity = HarnessTelemetry.Start(HarnessTelemetry.Context);
        return ContextBuilder.Build(agent, log, new ContextOptions(options.BuiltInTools, options.MaxTokens), discovered);
    }

    /// <summary>
    /// The first request of a turn lists the MCP servers' tools (a server that failed last turn is
    /// tried again: the idle→running retry of behaviour.md §3); the catalog rides on that request's
    /// span start, and later requests of the turn read it from the log. Null: nothing to discover.
    /// </summary>
    private async Task<(McpToolCatalog? Catalog, List<NewEvent> Errors)> DiscoverMcpToolsAsync(JsonObject agent, IReadOnlyList<LoggedEvent> log, CancellationToken ct)
    {
        if (McpToolCatalog.OfCurrentTurn(log) is not null || mcp.Referenced().Count == 0)
        {
            return (null, []);
        }
        var taken = new HashSet<string>(new AgentTools(agent, options.BuiltInTools).Definitions.Select(d => (string)d["name"]!), StringComparer.Ordinal);
        return await mcp.DiscoverAsync(taken, options.Time, ct);
    }

    private async Task FailAsync(string startId, ModelException error, int attempt, LogState state, CancellationToken ct)
    {
        var now = writer.Now;
        var spanEnd = HarnessEvents.ModelRequestEnd(startId, true, ModelUsage.Zero, null, now);
        if (error.IsRetryable && attempt < options.MaxModelAttempts)
        {
            await writer.WriteAsync(
                new([spanEnd, HarnessEvents.Error(error.SessionErrorType, error.Message, "retrying", now), HarnessEvents.Status("session.status_rescheduled", now)])
                {
                    Status = "rescheduling",
                }, ct);
            // The wait holds the lease (renewed meanwhile); an interrupt cuts it short.
            await Task.Delay(RetryDelay.For(attempt, error.RetryAfter, options.RetryBaseDelay, options.RetryMaxDelay), options.Time, ct);
            return;
        }
        await EndWithErrorAsync(writer, [spanEnd], error.SessionErrorType, error.Message, state, ct);
    }

    /// <summary>
    /// The turn is dead: <c>session.error{exhausted}</c>, queued messages flushed (marked processed
    /// unanswered), <c>session.usage</c>, <c>session.status_idle{retries_exhausted}</c>.
    /// </summary>
    public static async Task EndWithErrorAsync(
        SessionWriter writer, IReadOnlyList<NewEvent> first, string errorType, string message, LogState state, CancellationToken ct)
    {
        var now = writer.Now;
        writer.Row.Advance("idle", now);
        List<NewEvent> events =
        [
            .. first,
            HarnessEvents.Error(errorType, message, "exhausted", now),
            HarnessEvents.Usage(writer.Row.Usage, now),
            HarnessEvents.Idle(HarnessEvents.StopReason("retries_exhausted"), now),
        ];
        var flushed = state.QueuedMessages.Concat(state.QueuedOther).Select(e => e.Id).ToList();
        await writer.WriteAsync(new(events) { Status = "idle", Processed = flushed, WorkDone = true }, ct);
    }
}
