using System.Text.Json.Nodes;
using Hangar.Harness.Log;

namespace Hangar.Harness.Context;

/// <summary>
/// Turns log events, in order, into Messages API turns. The agent events of one response become
/// one assistant message (blocks in the response's original order, kept in <c>_hangar.index</c>);
/// tool results become user <c>tool_result</c> blocks keyed by the tool-use event id; a user
/// message that arrived while a response or its tool calls were in flight is held back until the
/// last result of that response, so every tool_use is answered right after it.
/// </summary>
internal sealed class TranscriptAssembler
{
    private readonly MessageList _messages = new();
    private readonly List<(int Index, JsonObject Block)> _response = [];
    private readonly HashSet<string> _outstanding = new(StringComparer.Ordinal);
    private readonly List<JsonNode> _deferred = [];
    private bool _requestOpen;

    public void AddUserContent(IEnumerable<JsonNode> blocks) => _messages.Add("user", blocks);

    public void Add(LoggedEvent e)
    {
        switch (e.Type)
        {
            case "user.message":
                var content = (e.Json["content"] as JsonArray ?? []).Select(b => b!.DeepClone()).ToList();
                if (_requestOpen || _outstanding.Count > 0)
                {
                    _deferred.AddRange(content);
                }
                else
                {
                    _messages.Add("user", content);
                }
                break;
            case "span.model_request_start":
                _requestOpen = true;
                _response.Clear();
                break;
            case "agent.thinking":
            case "agent.message":
            case "agent.tool_use":
            case "agent.custom_tool_use":
            case "agent.mcp_tool_use":
                AddResponseBlocks(e);
                break;
            case "span.model_request_end":
                EndResponse(isError: (bool?)e.Json["is_error"] ?? false);
                break;
            case "agent.tool_result":
            case "agent.mcp_tool_result":
            case "user.custom_tool_result":
            case "user.tool_result":
                AddResult(e);
                break;
        }
    }

    public JsonArray ToJson()
    {
        // Normally empty here: a request is only built once every tool call has its result.
        FlushDeferred();
        return _messages.ToJson(cacheLast: true);
    }

    private void AddResponseBlocks(LoggedEvent e)
    {
        var hidden = e.Private;
        var indexes = (hidden?["index"] as JsonArray ?? []).Select(i => (int)i!).ToList();
        switch (e.Type)
        {
            case "agent.thinking":
                if (hidden?["block"] is JsonObject thinking)
                {
                    _response.Add((indexes.FirstOrDefault(), (JsonObject)thinking.DeepClone()));
                }
                break;
            case "agent.message":
                var texts = (e.Json["content"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                for (var i = 0; i < texts.Count; i++)
                {
                    _response.Add((i < indexes.Count ? indexes[i] : int.MaxValue, (JsonObject)texts[i].DeepClone()));
                }
                break;
            default:
                var name = e.String("name")!;
                if (e.Type == "agent.mcp_tool_use")
                {
                    // The name the model used (sanitised names can't be rebuilt from server + tool).
                    name = (string?)e.Private?["model_name"] ?? $"mcp__{e.String("mcp_server_name")}__{name}";
                }
                _response.Add((indexes.FirstOrDefault(), new JsonObject
                {
                    ["type"] = "tool_use",
                    ["id"] = e.Id,
                    ["name"] = name,
                    ["input"] = e.Json["input"]?.DeepClone() ?? new JsonObject(),
                }));
                _outstanding.Add(e.Id);
                break;
        }
    }

    private void EndResponse(bool isError)
    {
        _requestOpen = false;
        if (!isError && _response.Count > 0)
        {
            _messages.Add("assistant", _response.OrderBy(r => r.Index).Select(r => (JsonNode)r.Block));
        }
        _response.Clear();
        if (_outstanding.Count == 0)
        {
            FlushDeferred();
        }
    }

    private void AddResult(LoggedEvent e)
    {
        var useId = e.String("tool_use_id") ?? e.String("mcp_tool_use_id") ?? e.String("custom_tool_use_id");
        if (useId is null || !_outstanding.Remove(useId))
        {
            return; // A result for a call this context doesn't contain (e.g. compacted away).
        }
        var block = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = useId };
        if (e.Json["content"] is JsonArray { Count: > 0 } content)
        {
            block["content"] = content.DeepClone();
        }
        if ((bool?)e.Json["is_error"] == true)
        {
            block["is_error"] = true;
        }
        _messages.Add("user", [block]);
        if (_outstanding.Count == 0 && !_requestOpen)
        {
            FlushDeferred();
        }
    }

    private void FlushDeferred()
    {
        _messages.Add("user", _deferred);
        _deferred.Clear();
    }
}
