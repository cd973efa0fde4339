using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;

namespace Hangar.FakeModel.Tests;

public sealed class StreamingTests
{
    [Fact]
    public async Task A_text_reply_streams_word_by_word_and_aggregates()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("Hello there, streaming world"));
        var client = Sdk.Client(fake);

        var events = await CollectAsync(client, Sdk.Ask("Hi"));

        Assert.True(events[0].TryPickStart(out var start));
        Assert.Empty(start.Message.Content);
        Assert.True(events[^1].TryPickStop(out _));
        var deltas = events.Select(e => e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out var t) ? t.Text : null)
            .OfType<string>().ToList();
        Assert.True(deltas.Count > 1, "text should arrive in several deltas");
        Assert.Equal("Hello there, streaming world", string.Concat(deltas));

        fake.Enqueue(FakeReply.Text("Hello again"));
        var message = await client.Messages.CreateStreaming(Sdk.Ask("Hi"), Sdk.Deadline()).Aggregate();
        Assert.Equal("Hello again", message.Text());
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
    }

    [Fact]
    public async Task A_tool_input_streamed_in_chunks_reassembles_to_the_same_json()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        var input = new { command = "grep -rn \"needle\" src/", timeout_ms = 120000, env = new { LANG = "C.UTF-8" } };
        fake.Enqueue(FakeReply.ToolUse("bash", input, id: "toolu_01").WithText("Let me look."));
        fake.Enqueue(FakeReply.ToolUse("bash", input, id: "toolu_02").WithText("Let me look."));
        var client = Sdk.Client(fake);

        var events = await CollectAsync(client, Sdk.Ask("Find the needle"));
        var pieces = events.Select(e => e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickInputJson(out var j) ? j.PartialJson : null)
            .OfType<string>().ToList();
        Assert.True(pieces.Count >= 3, "tool input should arrive in several chunks");
        Assert.Equal(JsonSerializer.Serialize(input), string.Concat(pieces));

        var message = await client.Messages.CreateStreaming(Sdk.Ask("Find the needle"), Sdk.Deadline()).Aggregate();
        message.Validate();
        Assert.Equal("Let me look.", message.Text());
        Assert.True(message.Content[1].TryPickToolUse(out var tool));
        Assert.Equal("toolu_02", tool.ID);
        Assert.Equal("bash", tool.Name);
        Assert.Equal(JsonSerializer.Serialize(input), JsonSerializer.Serialize(tool.Input));
        Assert.Equal(StopReason.ToolUse, message.StopReason!.Value());
    }

    [Fact]
    public async Task A_thinking_block_streams_its_text_and_signature()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Thinking("hmm, what is asked here").ThenText("ok"));

        var message = await Sdk.Client(fake).Messages.CreateStreaming(Sdk.Ask("Think"), Sdk.Deadline()).Aggregate();

        message.Validate();
        Assert.Equal(2, message.Content.Count);
        Assert.True(message.Content[0].TryPickThinking(out var thinking));
        Assert.Equal("hmm, what is asked here", thinking.Thinking);
        Assert.StartsWith("sig_", thinking.Signature);
        Assert.Equal("ok", message.Text());
    }

    [Fact]
    public async Task Usage_numbers_come_through_the_stream()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("x").WithUsage(input: 10, output: 5, cacheRead: 7, cacheCreation: 4));

        var message = await Sdk.Client(fake).Messages.CreateStreaming(Sdk.Ask("Hi"), Sdk.Deadline()).Aggregate();

        Assert.Equal(10, message.Usage.InputTokens);
        Assert.Equal(5, message.Usage.OutputTokens);
        Assert.Equal(7, message.Usage.CacheReadInputTokens);
        Assert.Equal(4, message.Usage.CacheCreationInputTokens);
    }

    [Fact]
    public async Task A_disconnect_mid_stream_surfaces_as_an_exception_after_the_first_words()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        const string answer = "a long answer that never finishes";
        // message_start, ping, content_block_start, three deltas, then the connection drops. The
        // token delay matters: a drop before the SDK handed out any event is retried silently.
        fake.Enqueue(FakeReply.Text(answer).WithTokenDelay(TimeSpan.FromMilliseconds(100)).DisconnectAfterChunks(6));
        var received = new StringBuilder();

        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var e in Sdk.Client(fake).Messages.CreateStreaming(Sdk.Ask("Hi"), Sdk.Deadline()))
            {
                if (e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out var t))
                {
                    received.Append(t.Text);
                }
            }
        });

        Assert.NotEqual("", received.ToString());
        Assert.StartsWith(received.ToString(), answer);
        Assert.NotEqual(answer, received.ToString());
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Time_to_first_token_and_token_delay_are_observed()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        var ttft = TimeSpan.FromMilliseconds(300);
        var delay = TimeSpan.FromMilliseconds(100);
        fake.Enqueue(FakeReply.Text("one two three four").WithTimeToFirstToken(ttft).WithTokenDelay(delay));
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();

        await foreach (var e in Sdk.Client(fake).Messages.CreateStreaming(Sdk.Ask("Hi"), Sdk.Deadline()))
        {
            if (e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out _))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        // Timers may fire up to a tick early against the Stopwatch (seen: 299.3 ms for a 300 ms delay);
        // without the delays the tokens would arrive within a few ms, so the bound still bites.
        var slack = TimeSpan.FromMilliseconds(10);
        Assert.Equal(4, arrivals.Count);
        Assert.True(arrivals[0] >= ttft - slack, $"first token after {arrivals[0]}, expected at least {ttft - slack}");
        Assert.True(arrivals[^1] >= ttft + (3 * delay) - slack, $"last token after {arrivals[^1]}, expected at least {ttft + (3 * delay) - slack}");
    }

    [Fact]
    public async Task Stopping_the_fake_does_not_wait_for_a_slow_stream()
    {
        var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("slow").WithTimeToFirstToken(TimeSpan.FromMinutes(5)));
        var reading = CollectAsync(Sdk.Client(fake, maxRetries: 0), Sdk.Ask("Hi"));
        await fake.WaitForRequestsAsync(1, TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();

        await fake.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => reading);
    }

    private static async Task<List<RawMessageStreamEvent>> CollectAsync(AnthropicClient client, MessageCreateParams ask)
    {
        var events = new List<RawMessageStreamEvent>();
        await foreach (var e in client.Messages.CreateStreaming(ask, Sdk.Deadline()))
        {
            e.Validate();
            events.Add(e);
        }
        return events;
    }
}
