using System.Text.Json;
using Anthropic.Models.Messages;

namespace Hangar.FakeModel.Tests;

public sealed class NonStreamingTests
{
    [Fact]
    public async Task A_text_reply_arrives_as_a_message()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("Hello there"));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        Assert.StartsWith("msg_", message.ID);
        Assert.Equal("Hello there", message.Text());
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        Assert.Equal("claude-sonnet-4-5", message.Model.Raw());
        Assert.Null(message.StopSequence);
    }

    [Fact]
    public async Task A_tool_use_reply_carries_its_input_and_the_text_before_it()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.ToolUse("bash", new { command = "ls -la", timeout = 5 }).WithText("Let me look."));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("What is here?"), Sdk.Deadline());

        Assert.Equal(2, message.Content.Count);
        Assert.Equal("Let me look.", message.Text());
        Assert.True(message.Content[1].TryPickToolUse(out var tool));
        Assert.StartsWith("toolu_", tool.ID);
        Assert.Equal("bash", tool.Name);
        Assert.Equal("ls -la", tool.Input["command"].GetString());
        Assert.Equal(5, tool.Input["timeout"].GetInt32());
        Assert.Equal(StopReason.ToolUse, message.StopReason!.Value());
    }

    [Fact]
    public async Task Usage_numbers_come_through()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("x").WithUsage(input: 10, output: 5, cacheRead: 3, cacheCreation: 2));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        Assert.Equal(10, message.Usage.InputTokens);
        Assert.Equal(5, message.Usage.OutputTokens);
        Assert.Equal(3, message.Usage.CacheReadInputTokens);
        Assert.Equal(2, message.Usage.CacheCreationInputTokens);
    }

    [Fact]
    public async Task A_thinking_block_precedes_the_text()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Thinking("hmm, let me think").ThenText("ok").WithStopReason("max_tokens"));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Think"), Sdk.Deadline());

        Assert.True(message.Content[0].TryPickThinking(out var thinking));
        Assert.Equal("hmm, let me think", thinking.Thinking);
        Assert.False(string.IsNullOrEmpty(thinking.Signature));
        Assert.Equal("ok", message.Text());
        Assert.Equal(StopReason.MaxTokens, message.StopReason!.Value());
    }

    [Fact]
    public async Task A_tool_input_given_as_json_text_is_kept_as_is()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.ToolUse("edit", JsonDocument.Parse("""{"path":"a.txt","lines":[1,2]}""").RootElement, id: "toolu_fixed"));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Edit"), Sdk.Deadline());

        Assert.True(message.Content[0].TryPickToolUse(out var tool));
        Assert.Equal("toolu_fixed", tool.ID);
        Assert.Equal("""{"path":"a.txt","lines":[1,2]}""", JsonSerializer.Serialize(tool.Input));
    }
}
