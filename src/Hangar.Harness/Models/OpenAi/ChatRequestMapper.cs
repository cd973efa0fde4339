// reasoning_effort is marked experimental in the OpenAI SDK, though the chat API has taken it for long.
#pragma warning disable OPENAI001
using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace Hangar.Harness.Models.OpenAi;

/// <summary>
/// Anthropic Messages request body → chat completions messages and options. Cache marks and
/// thinking blocks have no chat equivalent and are dropped; tool results become <c>tool</c>
/// messages answering the assistant's <c>tool_calls</c> by id.
/// </summary>
internal static class ChatRequestMapper
{
    public static List<ChatMessage> Messages(JsonObject body)
    {
        var messages = new List<ChatMessage>();
        if (SystemText(body["system"]) is { Length: > 0 } system)
        {
            messages.Add(new SystemChatMessage(system));
        }

        foreach (var message in body["messages"]?.AsArray() ?? [])
        {
            var role = (string?)message?["role"];
            var blocks = Blocks(message?["content"]);
            if (role == "assistant")
            {
                messages.Add(Assistant(blocks));
                continue;
            }

            // Tool results must directly follow the assistant message that called the tools.
            foreach (var result in blocks.Where(b => Type(b) == "tool_result"))
            {
                messages.Add(new ToolChatMessage((string)result["tool_use_id"]!, ToolResultText(result)));
            }

            var text = JoinText(blocks);
            if (text.Length > 0)
            {
                messages.Add(new UserChatMessage(text));
            }
        }

        return messages;
    }

    public static ChatCompletionOptions Options(JsonObject body)
    {
        var options = new ChatCompletionOptions();
        if (body["max_tokens"] is JsonValue maxTokens)
        {
            options.MaxOutputTokenCount = maxTokens.GetValue<int>();
        }

        if (body["temperature"] is JsonValue temperature)
        {
            options.Temperature = temperature.GetValue<float>();
        }

        if (ReasoningEffort(ModelSettings.RequestedEffort(body)) is { } effort)
        {
            options.ReasoningEffortLevel = effort;
        }

        foreach (var stop in body["stop_sequences"]?.AsArray() ?? [])
        {
            options.StopSequences.Add((string)stop!);
        }

        foreach (var tool in body["tools"]?.AsArray() ?? [])
        {
            if (tool?["input_schema"] is not JsonObject schema)
            {
                continue; // server tools (web search…) have no chat equivalent
            }

            options.Tools.Add(ChatTool.CreateFunctionTool(
                (string)tool["name"]!,
                (string?)tool["description"],
                BinaryData.FromString(schema.ToJsonString())));
        }

        return options;
    }

    /// <summary>
    /// The agent's effort as <c>reasoning_effort</c>; levels above high have no chat equivalent and
    /// ask for <c>high</c>. <c>speed</c> and <c>inference_geo</c> have no chat equivalent (docs/models.md).
    /// </summary>
    private static ChatReasoningEffortLevel? ReasoningEffort(string? effort) => effort switch
    {
        "low" => ChatReasoningEffortLevel.Low,
        "medium" => ChatReasoningEffortLevel.Medium,
        "high" or "xhigh" or "max" => ChatReasoningEffortLevel.High,
        // Typed: a bare null would convert through the level's implicit string operator and throw.
        _ => (ChatReasoningEffortLevel?)null,
    };

    private static AssistantChatMessage Assistant(List<JsonObject> blocks)
    {
        var calls = blocks.Where(b => Type(b) == "tool_use")
            .Select(b => ChatToolCall.CreateFunctionToolCall(
                (string)b["id"]!, (string)b["name"]!, BinaryData.FromString((b["input"] ?? new JsonObject()).ToJsonString())))
            .ToList();
        var text = JoinText(blocks);
        if (calls.Count == 0)
        {
            return new AssistantChatMessage(text);
        }

        var message = new AssistantChatMessage(calls);
        if (text.Length > 0)
        {
            message.Content.Add(ChatMessageContentPart.CreateTextPart(text));
        }

        return message;
    }

    private static List<JsonObject> Blocks(JsonNode? content) => content switch
    {
        JsonValue text => [new JsonObject { ["type"] = "text", ["text"] = (string?)text }],
        JsonArray array => array.OfType<JsonObject>().ToList(),
        _ => [],
    };

    private static string? SystemText(JsonNode? system) => system is null ? null : JoinText(Blocks(system));

    private static string JoinText(IEnumerable<JsonObject> blocks) =>
        string.Join("\n\n", blocks.Where(b => Type(b) == "text").Select(b => (string?)b["text"] ?? ""));

    private static string ToolResultText(JsonObject result)
    {
        var text = result["content"] is { } content ? JoinText(Blocks(content)) : "";
        return result["is_error"] is JsonValue error && error.GetValue<bool>() ? $"Error: {text}" : text;
    }

    private static string? Type(JsonObject block) => (string?)block["type"];
}
