using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.FakeModel;

/// <summary>
/// What the fake answers to one <c>POST /v1/messages</c>: either an assistant message (a list of
/// blocks, streamed or not as the request asks) or an API error. Immutable; every
/// <c>With…</c>/<c>Then…</c> returns a changed copy.
/// </summary>
public sealed record FakeReply
{
    private FakeReply()
    {
    }

    /// <summary>The message's content blocks, in order. Empty for a fault.</summary>
    public ImmutableList<FakeBlock> Blocks { get; init; } = [];

    /// <summary>Set for a reply that is an HTTP error instead of a message.</summary>
    public FakeFault? Failure { get; init; }

    /// <summary>Null means: <c>tool_use</c> when the message has a tool use, else <c>end_turn</c>.</summary>
    public string? StopReason { get; init; }

    /// <summary>Null means: input estimated from the request size, output = number of streamed chunks.</summary>
    public FakeUsage? Usage { get; init; }

    /// <summary>Wait before the first content block (streaming) or the whole body (non-streaming).</summary>
    public TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Wait before every further delta chunk.</summary>
    public TimeSpan TokenDelay { get; init; }

    /// <summary>Abort the connection after this many SSE frames (see <see cref="DisconnectAfterChunks"/>).</summary>
    public int? DisconnectAfter { get; init; }

    public static FakeReply Text(string text) => new() { Blocks = [new FakeBlock.TextBlock(text)] };

    /// <param name="input">Serialized with System.Text.Json; must come out as a JSON object.</param>
    /// <param name="id">Null for a fresh <c>toolu_…</c> id.</param>
    public static FakeReply ToolUse(string name, object input, string? id = null) =>
        new() { Blocks = [ToolUseBlock(name, input, id)] };

    public static FakeReply Thinking(string thinking) =>
        new() { Blocks = [new FakeBlock.ThinkingBlock(thinking, FakeIds.Signature())] };

    /// <summary>
    /// An API error: 400 invalid_request_error, 401 authentication_error, 429 rate_limit_error,
    /// 500 api_error, 529 overloaded_error, … in Anthropic's error shape.
    /// </summary>
    public static FakeReply Fault(int status, int? retryAfterSeconds = null, string? message = null) =>
        new() { Failure = new FakeFault(status, retryAfterSeconds, message) };

    /// <summary>Puts a text block in front (the "Let me look." before a tool use).</summary>
    public FakeReply WithText(string text) => this with { Blocks = Blocks.Insert(0, new FakeBlock.TextBlock(text)) };

    public FakeReply ThenText(string text) => this with { Blocks = Blocks.Add(new FakeBlock.TextBlock(text)) };

    public FakeReply ThenToolUse(string name, object input, string? id = null) =>
        this with { Blocks = Blocks.Add(ToolUseBlock(name, input, id)) };

    public FakeReply ThenThinking(string thinking) =>
        this with { Blocks = Blocks.Add(new FakeBlock.ThinkingBlock(thinking, FakeIds.Signature())) };

    /// <summary><c>end_turn</c>, <c>tool_use</c>, <c>max_tokens</c>, <c>stop_sequence</c>, <c>pause_turn</c>, <c>refusal</c>.</summary>
    public FakeReply WithStopReason(string stopReason) => this with { StopReason = stopReason };

    public FakeReply WithUsage(long input, long output, long cacheRead = 0, long cacheCreation = 0) =>
        this with { Usage = new FakeUsage(input, output, cacheRead, cacheCreation) };

    public FakeReply WithTokenDelay(TimeSpan delay) => this with { TokenDelay = delay };

    public FakeReply WithTimeToFirstToken(TimeSpan delay) => this with { TimeToFirstToken = delay };

    /// <summary>
    /// Streaming: write this many SSE frames (message_start and ping count), then abort the TCP
    /// connection. Non-streaming: abort before any response, which the SDK sees as a connection error.
    /// SDK 13.13.0 retries (taking the next reply) when the drop comes before it handed out an
    /// event, so add a <see cref="WithTokenDelay">token delay</see> to drop truly mid-stream;
    /// then the SDK stream throws a plain <see cref="IOException"/>.
    /// </summary>
    public FakeReply DisconnectAfterChunks(int frames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        return this with { DisconnectAfter = frames };
    }

    private static FakeBlock.ToolUseBlock ToolUseBlock(string name, object input, string? id) =>
        new(id ?? FakeIds.ToolUse(), name, AsObject(input));

    private static JsonObject AsObject(object input) =>
        (input is JsonNode node ? node.DeepClone() : JsonSerializer.SerializeToNode(input)) as JsonObject
        ?? throw new ArgumentException("A tool use input must serialize to a JSON object.", nameof(input));
}
