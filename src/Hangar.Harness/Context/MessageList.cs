using System.Text.Json.Nodes;

namespace Hangar.Harness.Context;

/// <summary>
/// The <c>messages</c> of a request under construction. Consecutive blocks of the same role are
/// merged into one message, which keeps the user/assistant alternation the API requires.
/// </summary>
internal sealed class MessageList
{
    private readonly List<(string Role, JsonArray Content)> _messages = [];

    public int Count => _messages.Count;

    public void Add(string role, IEnumerable<JsonNode> blocks)
    {
        var list = blocks.ToList();
        if (list.Count == 0)
        {
            return;
        }
        if (_messages.Count == 0 || _messages[^1].Role != role)
        {
            _messages.Add((role, []));
        }
        foreach (var block in list)
        {
            _messages[^1].Content.Add(block);
        }
    }

    /// <summary>The JSON array; the last block of the last message carries the cache breakpoint.</summary>
    public JsonArray ToJson(bool cacheLast)
    {
        var array = new JsonArray();
        foreach (var (role, content) in _messages)
        {
            array.Add(new JsonObject { ["role"] = role, ["content"] = content });
        }
        if (cacheLast && _messages.Count > 0 && _messages[^1].Content[^1] is JsonObject last)
        {
            last["cache_control"] = CacheControl.Ephemeral();
        }
        return array;
    }
}

internal static class CacheControl
{
    public static JsonObject Ephemeral() => new() { ["type"] = "ephemeral" };
}
