using System.Text.Json.Nodes;

namespace Hangar.Harness.Models.Scripted;

/// <summary>What the scripted model reads from a request: the current turn's ask and what its tools returned so far.</summary>
internal sealed record ScriptedConversation(
    string Ask,
    bool IsFirstTurn,
    IReadOnlySet<string> Tools,
    IReadOnlyList<ScriptedConversation.Call> Calls)
{
    /// <summary>A tool call of this turn with its result (null while unanswered).</summary>
    public sealed record Call(string Name, JsonObject Input, string? Result, bool IsError);

    public static ScriptedConversation Read(JsonObject body)
    {
        var tools = (body["tools"]?.AsArray() ?? []).Select(t => (string?)t?["name"]).OfType<string>().ToHashSet();
        var messages = (body["messages"]?.AsArray() ?? []).OfType<JsonObject>().ToList();

        // The turn starts at the last user message that says something (not only tool results).
        var start = messages.FindLastIndex(m => (string?)m["role"] == "user" && Blocks(m).Any(b => (string?)b["type"] == "text"));
        var ask = start < 0 ? "" : string.Join("\n", Blocks(messages[start]).Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"]));
        var isFirstTurn = !messages.Take(Math.Max(start, 0)).Any(m => (string?)m["role"] == "assistant");

        var calls = new List<Call>();
        var byId = new Dictionary<string, int>();
        foreach (var message in messages.Skip(start + 1))
        {
            foreach (var block in Blocks(message))
            {
                switch ((string?)block["type"])
                {
                    case "tool_use":
                        byId[(string?)block["id"] ?? ""] = calls.Count;
                        calls.Add(new Call((string?)block["name"] ?? "", block["input"] as JsonObject ?? [], null, false));
                        break;
                    case "tool_result" when byId.TryGetValue((string?)block["tool_use_id"] ?? "", out var index):
                        calls[index] = calls[index] with
                        {
                            Result = ResultText(block["content"]),
                            IsError = block["is_error"] is JsonValue error && error.GetValue<bool>(),
                        };
                        break;
                }
            }
        }

        return new ScriptedConversation(ask, isFirstTurn, tools, calls);
    }

    private static IEnumerable<JsonObject> Blocks(JsonObject message) => message["content"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonValue text => [new JsonObject { ["type"] = "text", ["text"] = (string?)text }],
        _ => [],
    };

    private static string ResultText(JsonNode? content) => content switch
    {
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => (string?)p["text"])),
        JsonValue text => (string?)text ?? "",
        _ => "",
    };
}
