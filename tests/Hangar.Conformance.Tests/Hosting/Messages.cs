using Anthropic.Models.Beta.Sessions.Events;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>Building and reading <c>user.message</c> events through the SDK's types.</summary>
public static class Messages
{
    public static EventSendParams Send(params string[] texts) => new()
    {
        Events = [.. texts.Select(text => (BetaManagedAgentsEventParams)new BetaManagedAgentsUserMessageEventParams
        {
            Content = [new BetaManagedAgentsTextBlock { Text = text }],
        })],
    };

    /// <summary>The events a send stored; the SDK types <c>data</c> as optional, the spec requires it.</summary>
    public static IReadOnlyList<Data> Stored(BetaManagedAgentsSendSessionEvents sent) =>
        sent.Data ?? throw new Xunit.Sdk.XunitException("send response has no \"data\" array");

    /// <summary>The text of a <c>user.message</c> event, or null for any other event.</summary>
    public static string? TextOf(object? eventValue) =>
        eventValue is BetaManagedAgentsUserMessageEvent message
            && message.Content.Count > 0
            && message.Content[0].TryPickBetaManagedAgentsTextBlock(out var text)
            ? text.Text
            : null;
}
