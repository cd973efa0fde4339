using System.Text.Json.Nodes;

namespace Hangar.FakeModel;

/// <summary>One content block of a scripted assistant message.</summary>
public abstract record FakeBlock
{
    private FakeBlock()
    {
    }

    public sealed record TextBlock(string Text) : FakeBlock;

    /// <summary><paramref name="Input"/> is always a JSON object, as the API requires.</summary>
    public sealed record ToolUseBlock(string Id, string Name, JsonObject Input) : FakeBlock;

    /// <summary>The signature is opaque to clients; the fake makes one up so it round-trips.</summary>
    public sealed record ThinkingBlock(string Thinking, string Signature) : FakeBlock;
}
