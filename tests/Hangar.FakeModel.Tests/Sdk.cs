using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace Hangar.FakeModel.Tests;

/// <summary>The official client pointed at the fake, as Hangar's harness will build it.</summary>
internal static class Sdk
{
    public static AnthropicClient Client(FakeMessagesServer fake, int? maxRetries = null) =>
        new(new ClientOptions
        {
            BaseUrl = fake.BaseUrl.ToString(),
            ApiKey = fake.ApiKey,
            MaxRetries = maxRetries,
            // Strict: every response is checked against the SDK's model, so a missing field fails here.
            ResponseValidation = true,
            Timeout = TimeSpan.FromSeconds(30),
        });

    public static MessageCreateParams Ask(string question) => new()
    {
        Model = "claude-sonnet-4-5",
        MaxTokens = 1024,
        Messages = [new UserMessageParam(question)],
    };

    /// <summary>Fails a hung test instead of hanging the run.</summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static string Text(this Message message) =>
        string.Concat(message.Content.Select(b => b.TryPickText(out var text) ? text.Text : ""));
}
