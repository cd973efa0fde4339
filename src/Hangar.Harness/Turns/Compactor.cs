using System.Text.Json.Nodes;
using Hangar.Harness.Context;
using Hangar.Harness.Log;
using Hangar.Harness.Models;
using Hangar.Harness.Workers;

namespace Hangar.Harness.Turns;

/// <summary>
/// Shrinks the context when it nears the model's window: one model call summarises everything
/// before the last response, and <c>agent.thread_context_compacted</c> records the summary and the
/// last seq it covers. Context building then starts from the summary; the log stays complete.
/// </summary>
public sealed class Compactor(HarnessOptions options, SessionWriter writer)
{
    private const string Instruction =
        "Summarise the conversation above for your own later use: the user's goals, decisions made, " +
        "files and commands involved, results so far and what remains to do. Be complete but concise.";

    /// <summary>Returns false when there is nothing older to compact or the summary call failed.</summary>
    public async Task<bool> TryCompactAsync(IReadOnlyList<LoggedEvent> log, BuiltContext context, CancellationToken ct)
    {
        var previous = (long?)log.LastOrDefault(e => e.Type == "agent.thread_context_compacted")?.Private?["upto_seq"] ?? 0;
        // Keep the last response and everything after it: its tool results must follow its tool uses.
        var lastResponse = log.LastOrDefault(e => e.Type == "span.model_request_end" && (bool?)e.Json["is_error"] == false);
        var start = lastResponse is null ? null : log.FirstOrDefault(e => e.Id == (string?)lastResponse.Json["model_request_start_id"]);
        if (start is null || start.Seq - 1 <= previous)
        {
            return false;
        }
        var upto = start.Seq - 1;
        var older = ContextBuilder.Build(writer.Row.Agent, [.. log.Where(e => e.Seq <= upto)], new ContextOptions(options.BuiltInTools, options.MaxTokens));
        var messages = (JsonArray)older.Body["messages"]!;
        if (messages.Count == 0)
        {
            return false;
        }
        if (messages[^1] is JsonObject { } last && (string?)last["role"] == "user")
        {
            ((JsonArray)last["content"]!).Add(ContextBuilder.Text(Instruction));
        }
        else
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(ContextBuilder.Text(Instruction)) });
        }
        older.Body.Remove("tools");
        try
        {
            var response = await options.Models.For((string)older.Body["model"]!).StreamAsync(new ModelRequest(older.Body), NullModelStreamObserver.Instance, ct);
            var summary = string.Concat(response.Content.Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"]));
            if (summary.Length == 0)
            {
                return false;
            }
            writer.Row.AddUsage(response.Usage);
            await writer.WriteAsync(new([HarnessEvents.Compacted(summary, upto, context.EstimatedTokens, writer.Now)]), ct);
            return true;
        }
        catch (ModelException)
        {
            return false; // Carry on uncompacted; the request itself reports a real failure.
        }
    }
}
