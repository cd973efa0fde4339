using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace Hangar.Harness.Models.OpenAi;

/// <summary>Folds streamed chat completion updates into Anthropic content blocks, in arrival order.</summary>
internal sealed class ChatStreamAssembler(IModelStreamObserver observer)
{
    private readonly List<Block> _blocks = [];
    private readonly Dictionary<int, Block> _toolCalls = [];
    private Block? _text;
    private ChatFinishReason? _finish;
    private ChatTokenUsage? _usage;

    public bool Finished => _finish is not null;

    public void Add(StreamingChatCompletionUpdate update)
    {
        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind != ChatMessageContentPartKind.Text || string.IsNullOrEmpty(part.Text))
            {
                continue;
            }

            _text ??= Start("text");
            _text.Text.Append(part.Text);
            observer.OnTextDelta(_text.Index, part.Text);
        }

        foreach (var call in update.ToolCallUpdates)
        {
            if (!_toolCalls.TryGetValue(call.Index, out var block))
            {
                block = _toolCalls[call.Index] = Start("tool_use");
                _text = null; // text after a tool call is a new block
            }

            block.Id ??= call.ToolCallId;
            block.Name ??= call.FunctionName;
            if (call.FunctionArgumentsUpdate is { } arguments && !arguments.IsEmpty)
            {
                block.Text.Append(arguments.ToString());
            }
        }

        _finish = update.FinishReason ?? _finish;
        _usage = update.Usage ?? _usage;
    }

    public ModelResponse Build()
    {
        var content = _blocks.Select(Build).ToList();
        var stopReason = _finish switch
        {
            ChatFinishReason.ToolCalls or ChatFinishReason.FunctionCall => "tool_use",
            ChatFinishReason.Length => "max_tokens",
            ChatFinishReason.ContentFilter => "refusal",
            _ when content.Any(b => (string?)b["type"] == "tool_use") => "tool_use",
            _ => "end_turn",
        };
        var usage = _usage is null ? ModelUsage.Zero : new ModelUsage(_usage.InputTokenCount, _usage.OutputTokenCount, 0, 0);
        return new ModelResponse(content, stopReason, usage);
    }

    private Block Start(string type)
    {
        var block = new Block(_blocks.Count, type);
        _blocks.Add(block);
        observer.OnBlockStart(block.Index, type);
        return block;
    }

    private static JsonObject Build(Block block) => block.Type == "text"
        ? new JsonObject { ["type"] = "text", ["text"] = block.Text.ToString() }
        : new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = block.Id ?? $"call_{block.Index}",
            ["name"] = block.Name ?? "",
            ["input"] = Arguments(block),
        };

    private static JsonNode Arguments(Block block)
    {
        var json = block.Text.ToString();
        if (string.IsNullOrWhiteSpace(json))
        {
            return new JsonObject();
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new ModelException(ModelFailure.Transient, $"The model sent invalid JSON arguments for tool '{block.Name}'.", inner: e);
        }
    }

    private sealed class Block(int index, string type)
    {
        public int Index { get; } = index;
        public string Type { get; } = type;
        public StringBuilder Text { get; } = new();
        public string? Id { get; set; }
        public string? Name { get; set; }
    }
}
