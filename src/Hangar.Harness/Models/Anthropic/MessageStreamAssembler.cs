using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Harness.Models.Anthropic;

/// <summary>
/// Folds the raw Messages stream events (their JSON as the SDK received it) into a complete
/// response. Working on the raw JSON keeps block types the SDK models differently, or not yet,
/// intact: unknown blocks pass through as their <c>content_block_start</c> JSON.
/// </summary>
internal sealed class MessageStreamAssembler(IModelStreamObserver observer)
{
    private readonly SortedDictionary<int, BlockBuilder> _blocks = [];
    private string? _stopReason;
    private long _input;
    private long _output;
    private long _cacheRead;
    private long _cacheCreation;

    public bool Stopped { get; private set; }

    public void Add(JsonElement e)
    {
        switch (Text(e, "type"))
        {
            case "message_start":
                if (e.TryGetProperty("message", out var message) && message.TryGetProperty("usage", out var startUsage))
                {
                    ReadUsage(startUsage);
                }

                break;
            case "content_block_start":
                {
                    var index = e.GetProperty("index").GetInt32();
                    var block = JsonNode.Parse(e.GetProperty("content_block").GetRawText())!.AsObject();
                    _blocks[index] = new BlockBuilder(block);
                    observer.OnBlockStart(index, (string?)block["type"] ?? "unknown");
                    break;
                }

            case "content_block_delta":
                {
                    var index = e.GetProperty("index").GetInt32();
                    var builder = _blocks.TryGetValue(index, out var b)
                        ? b
                        : throw new ModelException(ModelFailure.Transient, $"Model stream sent a delta for unknown content block {index}.");
                    var delta = e.GetProperty("delta");
                    switch (Text(delta, "type"))
                    {
                        case "text_delta":
                            var text = Text(delta, "text") ?? "";
                            builder.Text.Append(text);
                            observer.OnTextDelta(index, text);
                            break;
                        case "thinking_delta":
                            builder.Thinking.Append(Text(delta, "thinking"));
                            break;
                        case "signature_delta":
                            builder.Signature.Append(Text(delta, "signature"));
                            break;
                        case "input_json_delta":
                            builder.InputJson.Append(Text(delta, "partial_json"));
                            break;
                    }

                    break;
                }

            case "message_delta":
                if (e.TryGetProperty("delta", out var messageDelta) && Text(messageDelta, "stop_reason") is { } stop)
                {
                    _stopReason = stop;
                }

                if (e.TryGetProperty("usage", out var deltaUsage))
                {
                    ReadUsage(deltaUsage);
                }

                break;
            case "message_stop":
                Stopped = true;
                break;
        }
    }

    public ModelResponse Build()
    {
        var content = _blocks.Values.Select(b => b.Build()).ToList();
        var stopReason = _stopReason ?? (content.Any(b => (string?)b["type"] == "tool_use") ? "tool_use" : "end_turn");
        return new ModelResponse(content, stopReason, new ModelUsage(_input, _output, _cacheRead, _cacheCreation));
    }

    // message_delta's usage is cumulative, so later values replace earlier ones.
    private void ReadUsage(JsonElement usage)
    {
        _input = Number(usage, "input_tokens") ?? _input;
        _output = Number(usage, "output_tokens") ?? _output;
        _cacheRead = Number(usage, "cache_read_input_tokens") ?? _cacheRead;
        _cacheCreation = Number(usage, "cache_creation_input_tokens") ?? _cacheCreation;
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private sealed class BlockBuilder(JsonObject start)
    {
        public StringBuilder Text { get; } = new();
        public StringBuilder Thinking { get; } = new();
        public StringBuilder Signature { get; } = new();
        public StringBuilder InputJson { get; } = new();

        public JsonObject Build()
        {
            var block = (JsonObject)start.DeepClone();
            switch ((string?)block["type"])
            {
                case "text":
                    block["text"] = (string?)block["text"] + Text;
                    break;
                case "thinking":
                    block["thinking"] = (string?)block["thinking"] + Thinking;
                    block["signature"] = (string?)block["signature"] + Signature;
                    break;
                case "tool_use" or "server_tool_use" or "mcp_tool_use":
                    if (InputJson.Length > 0)
                    {
                        block["input"] = ParseInput(InputJson.ToString(), (string?)block["name"]);
                    }

                    block["input"] ??= new JsonObject();
                    break;
            }

            return block;
        }

        private static JsonNode ParseInput(string json, string? tool)
        {
            try
            {
                return JsonNode.Parse(json) ?? new JsonObject();
            }
            catch (JsonException e)
            {
                // A cut-off stream can leave half an input behind: worth another try.
                throw new ModelException(ModelFailure.Transient, $"The model sent invalid JSON input for tool '{tool}'.", inner: e);
            }
        }
    }
}
