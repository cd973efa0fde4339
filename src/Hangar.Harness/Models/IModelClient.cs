using System.Text.Json.Nodes;

namespace Hangar.Harness.Models;

/// <summary>
/// One model provider. Requests and responses use the Anthropic Messages shapes as the
/// provider-neutral format (the log maps onto them one to one); other providers translate.
/// </summary>
public interface IModelClient
{
    /// <summary>
    /// Streams one response, reporting deltas to <paramref name="observer"/> as they arrive,
    /// and returns the complete response. Failures are thrown as <see cref="ModelException"/>;
    /// cancellation as <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<ModelResponse> StreamAsync(ModelRequest request, IModelStreamObserver observer, CancellationToken ct);
}

/// <summary>
/// A Messages API request. <see cref="Body"/> is the complete request body as it would be sent to
/// <c>POST /v1/messages</c> (model, max_tokens, system, tools, messages, cache_control marks),
/// built deterministically from the log: the same log always gives byte-identical JSON.
/// </summary>
public sealed record ModelRequest(JsonObject Body)
{
    public string Model => (string)Body["model"]!;
}

/// <summary>
/// A complete response. <see cref="Content"/> holds Anthropic content blocks in order:
/// <c>{type:"text",text}</c>, <c>{type:"thinking",thinking,signature}</c>,
/// <c>{type:"tool_use",id,name,input}</c>.
/// </summary>
public sealed record ModelResponse(IReadOnlyList<JsonObject> Content, string StopReason, ModelUsage Usage);

public sealed record ModelUsage(long InputTokens, long OutputTokens, long CacheReadInputTokens, long CacheCreationInputTokens)
{
    public static readonly ModelUsage Zero = new(0, 0, 0, 0);

    public ModelUsage Add(ModelUsage other) => new(
        InputTokens + other.InputTokens,
        OutputTokens + other.OutputTokens,
        CacheReadInputTokens + other.CacheReadInputTokens,
        CacheCreationInputTokens + other.CacheCreationInputTokens);
}

/// <summary>Live progress of a streaming response (for previews and time-to-first-token).</summary>
public interface IModelStreamObserver
{
    /// <summary>A content block started (<paramref name="type"/>: text, thinking, tool_use).</summary>
    void OnBlockStart(int index, string type);

    /// <summary>More text of a text block.</summary>
    void OnTextDelta(int index, string text);
}

public sealed class NullModelStreamObserver : IModelStreamObserver
{
    public static readonly NullModelStreamObserver Instance = new();

    public void OnBlockStart(int index, string type)
    {
    }

    public void OnTextDelta(int index, string text)
    {
    }
}
