using System.Text.Json.Nodes;
using Hangar.FakeModel;

namespace Hangar.Cli.Tests.Crash;

/// <summary>What a crash test's model script needs to know about a request to the fake.</summary>
public static class ModelRequests
{
    /// <summary>The text of the last user message's text blocks ("" when it has none).</summary>
    public static string LastUserText(RecordedRequest request) => request.Messages.LastOrDefault(m => (string?)m?["role"] == "user")?["content"] switch
    {
        JsonValue text => text.GetValue<string>(),
        JsonArray blocks => string.Concat(blocks.Select(b => (string?)b?["type"] == "text" ? (string?)b["text"] : null)),
        _ => "",
    };

    /// <summary>The last message carries a tool result: the model is asked to continue after a tool call.</summary>
    public static bool AnswersTool(RecordedRequest request) =>
        request.Messages.LastOrDefault()?["content"] is JsonArray blocks && blocks.Any(b => (string?)b?["type"] == "tool_result");

    /// <summary>A reply that streams for many seconds (one word per 100 ms), long enough to be killed mid-stream.</summary>
    public static FakeReply Slow(string text) =>
        FakeReply.Text(text + string.Concat(Enumerable.Repeat(" still streaming", 100))).WithTokenDelay(TimeSpan.FromMilliseconds(100));
}
