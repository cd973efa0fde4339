using System.Text.Json.Nodes;

namespace Hangar.Harness.Context;

/// <summary>What context building needs besides the log: the built-in tool definitions and the output cap.</summary>
/// <param name="BuiltInTools">Definitions (<c>{name, description, input_schema}</c>) of the sandbox tools, in offer order.</param>
/// <param name="MaxTokens">The request's <c>max_tokens</c>.</param>
public sealed record ContextOptions(IReadOnlyList<JsonObject> BuiltInTools, int MaxTokens = 8192);

/// <summary>A built request and what it consumed from the log.</summary>
/// <param name="Body">The Messages API request body.</param>
/// <param name="ConsumedUserEventIds">Queued (unprocessed) user events the body includes; they become processed when it is sent.</param>
/// <param name="EstimatedTokens">A rough size of the body in tokens.</param>
public sealed record BuiltContext(JsonObject Body, IReadOnlyList<string> ConsumedUserEventIds, long EstimatedTokens);
