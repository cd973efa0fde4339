using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;

namespace Hangar.Harness.Tests.Models;

public sealed class AnthropicModelClientTests
{
    private static AnthropicModelClient Client(FakeMessagesServer fake) =>
        new(new AnthropicModelOptions(fake.ApiKey, fake.BaseUrl.ToString(), TimeSpan.FromSeconds(30)));

    [Fact]
    public async Task Text_streams_to_the_observer_and_comes_back_as_a_block()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("Hello there, friend."));
        var observer = new RecordingObserver();

        var response = await Client(fake).StreamAsync(Requests.Ask("Hi"), observer, Requests.Deadline());

        var block = Assert.Single(response.Content);
        Assert.Equal("text", (string?)block["type"]);
        Assert.Equal("Hello there, friend.", (string?)block["text"]);
        Assert.Equal("end_turn", response.StopReason);
        Assert.Equal("start:0:text", observer.Events[0]);
        Assert.Equal("Hello there, friend.", observer.Text);
        Assert.True(observer.Events.Count(e => e.StartsWith("text:", StringComparison.Ordinal)) > 1, "text should arrive in several deltas");
    }

    [Fact]
    public async Task Tool_use_input_is_assembled_from_json_deltas()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        var input = new { command = "ls -la /tmp", timeout = 30, nested = new { flags = new[] { "a", "b" } } };
        fake.Enqueue(FakeReply.ToolUse("bash", input, id: "toolu_01").WithText("Let me look."));

        var response = await Client(fake).StreamAsync(Requests.Ask("List"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("tool_use", response.StopReason);
        Assert.Equal(2, response.Content.Count);
        Assert.Equal("Let me look.", (string?)response.Content[0]["text"]);
        var tool = response.Content[1];
        Assert.Equal("tool_use", (string?)tool["type"]);
        Assert.Equal("toolu_01", (string?)tool["id"]);
        Assert.Equal("bash", (string?)tool["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"command":"ls -la /tmp","timeout":30,"nested":{"flags":["a","b"]}}"""), tool["input"]));
    }

    [Fact]
    public async Task Thinking_keeps_its_signature()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Thinking("The user wants a greeting.").ThenText("Hi!"));

        var response = await Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline());

        var thinking = response.Content[0];
        Assert.Equal("thinking", (string?)thinking["type"]);
        Assert.Equal("The user wants a greeting.", (string?)thinking["thinking"]);
        Assert.False(string.IsNullOrEmpty((string?)thinking["signature"]));
        Assert.Equal("Hi!", (string?)response.Content[1]["text"]);
    }

    [Fact]
    public async Task Usage_includes_cache_tokens()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("ok").WithUsage(input: 12, output: 34, cacheRead: 560, cacheCreation: 78));

        var response = await Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal(new ModelUsage(12, 34, 560, 78), response.Usage);
    }

    [Fact]
    public async Task The_request_body_reaches_the_api_unchanged()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("done"));
        var body = JsonNode.Parse("""
            {
              "model": "claude-sonnet-4-5",
              "max_tokens": 2048,
              "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
              "tools": [{"name": "bash", "description": "Run a command", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}, "cache_control": {"type": "ephemeral"}}],
              "messages": [
                {"role": "user", "content": [{"type": "text", "text": "List files"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Sure."}, {"type": "tool_use", "id": "sevt_01", "name": "bash", "input": {"command": "ls"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "sevt_01", "content": "a.txt\nb.txt", "is_error": false, "cache_control": {"type": "ephemeral"}}]}
              ]
            }
            """)!.AsObject();

        await Client(fake).StreamAsync(new ModelRequest(body), NullModelStreamObserver.Instance, Requests.Deadline());

        var sent = JsonNode.Parse(Assert.Single(fake.Requests).RawBody)!.AsObject();
        Assert.True(sent.Remove("stream"), "the SDK streams");
        Assert.Equal(body.ToJsonString(), sent.ToJsonString());
    }

    [Theory]
    [InlineData(429, ModelFailure.RateLimited)]
    [InlineData(529, ModelFailure.Overloaded)]
    [InlineData(500, ModelFailure.Transient)]
    [InlineData(503, ModelFailure.Transient)]
    [InlineData(400, ModelFailure.InvalidRequest)]
    [InlineData(413, ModelFailure.InvalidRequest)]
    [InlineData(401, ModelFailure.Authentication)]
    [InlineData(403, ModelFailure.Authentication)]
    [InlineData(402, ModelFailure.Billing)]
    public async Task Each_api_error_maps_to_its_failure_without_sdk_retries(int status, ModelFailure expected)
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(status, retryAfterSeconds: 0));
        fake.Enqueue(FakeReply.Text("a retry would get this"));

        var error = await Assert.ThrowsAsync<ModelException>(
            () => Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline()));

        Assert.Equal(expected, error.Failure);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task A_rate_limit_carries_the_retry_after_header()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(429, retryAfterSeconds: 7));

        var error = await Assert.ThrowsAsync<ModelException>(
            () => Client(fake).StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline()));

        Assert.Equal(ModelFailure.RateLimited, error.Failure);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("model_rate_limited_error", error.SessionErrorType);
    }

    [Fact]
    public async Task A_stream_cut_mid_response_is_transient()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("one two three four five six seven eight")
            .WithTokenDelay(TimeSpan.FromMilliseconds(20))
            .DisconnectAfterChunks(5));
        var observer = new RecordingObserver();

        var error = await Assert.ThrowsAsync<ModelException>(
            () => Client(fake).StreamAsync(Requests.Ask("Hi"), observer, Requests.Deadline()));

        Assert.Equal(ModelFailure.Transient, error.Failure);
        Assert.True(error.IsRetryable);
        Assert.NotEmpty(observer.Text);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream_promptly()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text(string.Join(' ', Enumerable.Repeat("slow", 200))).WithTokenDelay(TimeSpan.FromMilliseconds(100)));
        var observer = new RecordingObserver();
        using var cts = new CancellationTokenSource();

        var call = Client(fake).StreamAsync(Requests.Ask("Hi"), observer, cts.Token);
        await observer.FirstDelta.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_missing_api_key_names_the_variable()
    {
        var error = Assert.Throws<ModelException>(() => new AnthropicModelClient(new AnthropicModelOptions(ApiKey: null)));

        Assert.Equal(ModelFailure.Authentication, error.Failure);
        Assert.Contains("ANTHROPIC_API_KEY", error.Message);
    }
}
