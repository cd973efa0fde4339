using System.Text.Json.Nodes;
using Hangar.Harness.Log;
using Hangar.Harness.Mcp;

namespace Hangar.Harness.Context;

/// <summary>
/// Builds the model request from the session log alone: a pure function, so any worker (or the
/// same one after a restart) builds byte-identical JSON from the same log. See docs/harness.md,
/// "Context building".
/// </summary>
public static class ContextBuilder
{
    public const string SummaryPreamble = "This is a summary of the conversation so far (older turns were compacted):\n\n";

    /// <param name="mcp">The turn's MCP tools when they are not in <paramref name="events"/> yet (just discovered); null: the latest catalog in the log.</param>
    public static BuiltContext Build(JsonObject agent, IReadOnlyList<LoggedEvent> events, ContextOptions options, McpToolCatalog? mcp = null)
    {
        var compaction = events.LastOrDefault(e => e.Type == "agent.thread_context_compacted");
        var uptoSeq = (long?)compaction?.Private?["upto_seq"] ?? 0;
        var systemBlocks = new List<JsonObject>();
        if ((string?)agent["system"] is { Length: > 0 } system)
        {
            systemBlocks.Add(Text(system));
        }
        var transcript = new TranscriptAssembler();
        if (compaction is not null)
        {
            transcript.AddUserContent([Text(SummaryPreamble + (string?)compaction.Private?["summary"])]);
        }
        var consumed = new List<string>();
        foreach (var e in events)
        {
            if (e.Type == "system.message")
            {
                // Steering text applies to this and later turns, so it joins the system prompt.
                systemBlocks.AddRange((e.Json["content"] as JsonArray ?? []).OfType<JsonObject>().Select(b => Text((string?)b["text"] ?? "")));
                Consume(e, consumed);
                continue;
            }
            if (e.Seq <= uptoSeq)
            {
                continue;
            }
            if (e.Type == "user.message")
            {
                Consume(e, consumed);
            }
            transcript.Add(e);
        }

        var body = new JsonObject
        {
            ["model"] = (string?)agent["model"]?["id"] ?? (string?)agent["model"],
            ["max_tokens"] = options.MaxTokens,
        };
        if (systemBlocks.Count > 0)
        {
            systemBlocks[^1]["cache_control"] = CacheControl.Ephemeral();
            body["system"] = new JsonArray([.. systemBlocks]);
        }
        var tools = new AgentTools(agent, options.BuiltInTools, mcp ?? McpToolCatalog.Latest(events)).Definitions.Select(t => (JsonObject)t.DeepClone()).ToList();
        if (tools.Count > 0)
        {
            tools[^1]["cache_control"] = CacheControl.Ephemeral();
            body["tools"] = new JsonArray([.. tools]);
        }
        body["messages"] = transcript.ToJson();
        return new BuiltContext(body, consumed, ModelWindows.Estimate(body));
    }

    private static void Consume(LoggedEvent e, List<string> consumed)
    {
        if (!e.IsProcessed)
        {
            consumed.Add(e.Id);
        }
    }

    internal static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };
}
