using System.Text.Json.Nodes;

namespace Hangar.FakeModel;

/// <summary>
/// A reply turned into the message that answers one request: ids, model, stop reason and
/// usage are settled here so the JSON body and the stream say the same thing.
/// </summary>
internal sealed record ScriptedMessage(
    string Id,
    string Model,
    IReadOnlyList<FakeBlock> Blocks,
    string StopReason,
    FakeUsage Usage)
{
    public static ScriptedMessage For(FakeReply reply, RecordedRequest request)
    {
        var stopReason = reply.StopReason
            ?? (reply.Blocks.Any(b => b is FakeBlock.ToolUseBlock) ? "tool_use" : "end_turn");
        var usage = reply.Usage ?? new FakeUsage(
            InputTokens: Math.Max(1, request.RawBody.Length / 4),
            OutputTokens: reply.Blocks.Sum(b => DeltasOf(b).Count),
            CacheReadInputTokens: 0,
            CacheCreationInputTokens: 0);
        return new ScriptedMessage(FakeIds.Message(), request.Model ?? "claude-fake", reply.Blocks, stopReason, usage);
    }

    /// <summary>The deltas a block streams as, in order (without the start/stop frames).</summary>
    public static IReadOnlyList<JsonObject> DeltasOf(FakeBlock block) => block switch
    {
        FakeBlock.TextBlock text => [.. Chunks.OfText(text.Text).Select(c => new JsonObject { ["type"] = "text_delta", ["text"] = c })],
        FakeBlock.ToolUseBlock tool => [.. Chunks.OfJson(tool.Input.ToJsonString()).Select(c => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = c })],
        FakeBlock.ThinkingBlock thinking =>
        [
            .. Chunks.OfText(thinking.Thinking).Select(c => new JsonObject { ["type"] = "thinking_delta", ["thinking"] = c }),
            new JsonObject { ["type"] = "signature_delta", ["signature"] = thinking.Signature },
        ],
        _ => throw new InvalidOperationException($"Unknown block {block.GetType().Name}."),
    };

    /// <summary>A block as it appears in a complete message.</summary>
    public static JsonObject Complete(FakeBlock block) => block switch
    {
        FakeBlock.TextBlock text => new JsonObject { ["type"] = "text", ["text"] = text.Text, ["citations"] = null },
        FakeBlock.ToolUseBlock tool => new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = tool.Id,
            ["name"] = tool.Name,
            ["input"] = tool.Input.DeepClone(),
            ["caller"] = DirectCaller(),
        },
        FakeBlock.ThinkingBlock thinking => new JsonObject
        {
            ["type"] = "thinking",
            ["thinking"] = thinking.Thinking,
            ["signature"] = thinking.Signature,
        },
        _ => throw new InvalidOperationException($"Unknown block {block.GetType().Name}."),
    };

    /// <summary>A block as <c>content_block_start</c> announces it: empty, filled by the deltas.</summary>
    public static JsonObject Empty(FakeBlock block) => block switch
    {
        FakeBlock.TextBlock => new JsonObject { ["type"] = "text", ["text"] = "" },
        FakeBlock.ToolUseBlock tool => new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = tool.Id,
            ["name"] = tool.Name,
            ["input"] = new JsonObject(),
            ["caller"] = DirectCaller(),
        },
        FakeBlock.ThinkingBlock => new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" },
        _ => throw new InvalidOperationException($"Unknown block {block.GetType().Name}."),
    };

    /// <summary>The SDK requires it on every tool use: the model itself asked for the tool.</summary>
    private static JsonObject DirectCaller() => new() { ["type"] = "direct" };

    /// <summary>The whole message; in <c>message_start</c> it has no content and no stop reason yet.</summary>
    public JsonObject ToJson(bool started = false) => new()
    {
        ["id"] = Id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = Model,
        ["content"] = started ? new JsonArray() : new JsonArray([.. Blocks.Select(Complete)]),
        ["stop_reason"] = started ? null : StopReason,
        ["stop_sequence"] = null,
        ["usage"] = UsageJson(outputTokens: started ? 1 : Usage.OutputTokens),
    };

    public JsonObject UsageJson(long outputTokens) => new()
    {
        ["input_tokens"] = Usage.InputTokens,
        ["cache_creation_input_tokens"] = Usage.CacheCreationInputTokens,
        ["cache_read_input_tokens"] = Usage.CacheReadInputTokens,
        ["cache_creation"] = new JsonObject
        {
            ["ephemeral_5m_input_tokens"] = Usage.CacheCreationInputTokens,
            ["ephemeral_1h_input_tokens"] = 0,
        },
        ["output_tokens"] = outputTokens,
        ["service_tier"] = "standard",
    };
}
