using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Harness.Models;
using Hangar.Harness.Models.OpenAi;

namespace Hangar.Harness.Tests.Models;

public sealed class OpenAiCompatibleModelClientTests
{
    private static OpenAiCompatibleModelClient Client(FakeChatCompletionsServer fake, string model = "llama-3") =>
        new(new OpenAiCompatibleOptions(fake.BaseUrl, "sk-fake", TimeSpan.FromSeconds(30)), model);

    [Fact]
    public async Task Text_streams_and_maps_stop_and_usage()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("Hello from a local model", promptTokens: 21, completionTokens: 6));
        var observer = new RecordingObserver();

        var response = await Client(fake).StreamAsync(Requests.Ask("Hi"), observer, Requests.Deadline());

        var block = Assert.Single(response.Content);
        Assert.Equal("Hello from a local model", (string?)block["text"]);
        Assert.Equal("end_turn", response.StopReason);
        Assert.Equal(new ModelUsage(21, 6, 0, 0), response.Usage);
        Assert.Equal("start:0:text", observer.Events[0]);
        Assert.Equal("Hello from a local model", observer.Text);
    }

    [Fact]
    public async Task Tool_calls_become_tool_use_blocks_with_parsed_arguments()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(new ChatReply(200, [
            ChatReply.Choice(new JsonObject { ["role"] = "assistant", ["content"] = "Checking." }),
            ChatReply.ToolCallDelta(0, "call_abc", "bash", """{"comm"""),
            ChatReply.ToolCallDelta(0, null, null, """and":"ls -l"}"""),
            ChatReply.ToolCallDelta(1, "call_def", "read", """{"path":"/etc/hostname"}"""),
            ChatReply.Choice(new JsonObject(), "tool_calls"),
        ]));

        var response = await Client(fake).StreamAsync(Requests.Ask("Look around"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("tool_use", response.StopReason);
        Assert.Equal(3, response.Content.Count);
        Assert.Equal("Checking.", (string?)response.Content[0]["text"]);
        Assert.Equal("call_abc", (string?)response.Content[1]["id"]);
        Assert.Equal("bash", (string?)response.Content[1]["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"command":"ls -l"}"""), response.Content[1]["input"]));
        Assert.Equal("read", (string?)response.Content[2]["name"]);
        Assert.Equal("/etc/hostname", (string?)response.Content[2]["input"]!["path"]);
    }

    [Fact]
    public async Task Length_maps_to_max_tokens()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(new ChatReply(200, [ChatReply.Choice(new JsonObject { ["content"] = "cut" }, "length")]));

        var response = await Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("max_tokens", response.StopReason);
    }

    [Fact]
    public async Task An_anthropic_conversation_is_sent_as_chat_messages()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("done"));
        var body = JsonNode.Parse("""
            {
              "model": "openai/llama-3",
              "max_tokens": 512,
              "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
              "tools": [{"name": "bash", "description": "Run a command", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}, "cache_control": {"type": "ephemeral"}}],
              "messages": [
                {"role": "user", "content": "List files"},
                {"role": "assistant", "content": [{"type": "text", "text": "Sure."}, {"type": "tool_use", "id": "sevt_01", "name": "bash", "input": {"command": "ls"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "sevt_01", "content": [{"type": "text", "text": "a.txt"}]}, {"type": "text", "text": "Thanks", "cache_control": {"type": "ephemeral"}}]}
              ]
            }
            """)!.AsObject();

        await Client(fake).StreamAsync(new ModelRequest(body), NullModelStreamObserver.Instance, Requests.Deadline());

        var sent = Assert.Single(fake.Requests);
        Assert.Equal("llama-3", (string?)sent["model"]);
        Assert.True((bool)sent["stream"]!);
        Assert.Equal(512, (int)sent["max_completion_tokens"]!);
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool", "user"], messages.Select(m => (string)m!["role"]!));
        Assert.Equal("You are terse.", Text(messages[0]!["content"]));
        var call = messages[2]!["tool_calls"]![0]!;
        Assert.Equal("sevt_01", (string?)call["id"]);
        Assert.Equal("bash", (string?)call["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"command":"ls"}"""), JsonNode.Parse((string)call["function"]!["arguments"]!)));
        Assert.Equal("Sure.", Text(messages[2]!["content"]));
        Assert.Equal("sevt_01", (string?)messages[3]!["tool_call_id"]);
        Assert.Equal("a.txt", Text(messages[3]!["content"]));
        Assert.Equal("Thanks", Text(messages[4]!["content"]));
        var function = sent["tools"]![0]!["function"]!;
        Assert.Equal("bash", (string?)function["name"]);
        Assert.Equal("object", (string?)function["parameters"]!["type"]);
        Assert.DoesNotContain("cache_control", sent.ToJsonString());
    }

    [Theory]
    [InlineData(429, ModelFailure.RateLimited)]
    [InlineData(500, ModelFailure.Transient)]
    [InlineData(503, ModelFailure.Transient)]
    [InlineData(529, ModelFailure.Overloaded)]
    [InlineData(400, ModelFailure.InvalidRequest)]
    [InlineData(413, ModelFailure.InvalidRequest)]
    [InlineData(401, ModelFailure.Authentication)]
    [InlineData(403, ModelFailure.Authentication)]
    [InlineData(402, ModelFailure.Billing)]
    public async Task Each_http_error_maps_to_its_failure_without_sdk_retries(int status, ModelFailure expected)
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Fault(status, retryAfterSeconds: 3));
        fake.Enqueue(ChatReply.Text("a retry would get this"));

        var error = await Assert.ThrowsAsync<ModelException>(
            () => Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline()));

        Assert.Equal(expected, error.Failure);
        Assert.Single(fake.Requests);
        if (expected == ModelFailure.RateLimited)
        {
            Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        }
    }

    [Fact]
    public async Task A_stream_cut_mid_response_is_transient()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("one two three four five six") with { DisconnectAfter = 3, Delay = TimeSpan.FromMilliseconds(20) });

        var error = await Assert.ThrowsAsync<ModelException>(
            () => Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline()));

        Assert.Equal(ModelFailure.Transient, error.Failure);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream_promptly()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text(string.Join(' ', Enumerable.Repeat("slow", 200))) with { Delay = TimeSpan.FromMilliseconds(100) });
        var observer = new RecordingObserver();
        using var cts = new CancellationTokenSource();

        var call = Client(fake).StreamAsync(Requests.Ask("Hi"), observer, cts.Token);
        await observer.FirstDelta.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    // Chat content is either a string or an array of text parts, depending on the message type.
    private static string Text(JsonNode? content) => content switch
    {
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => (string?)content ?? "",
    };
}
