using System.Text.Json.Nodes;
using Anthropic;

namespace Hangar.FakeModel.Tests;

public sealed class RecordingTests
{
    [Fact]
    public async Task Requests_are_recorded_with_their_bodies_and_headers()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("one"));
        fake.Enqueue(FakeReply.Text("two"));
        var client = Sdk.Client(fake);

        await client.Messages.Create(Sdk.Ask("first question"), Sdk.Deadline());
        await client.Messages.CreateStreaming(Sdk.Ask("second question"), Sdk.Deadline()).Aggregate();

        var requests = await fake.WaitForRequestsAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2], requests.Select(r => r.Number));
        Assert.False(requests[0].IsStreaming);
        Assert.True(requests[1].IsStreaming);
        Assert.Equal("claude-sonnet-4-5", requests[0].Model);
        Assert.Equal(1024, requests[0].Body!["max_tokens"]!.GetValue<int>());
        Assert.Equal("first question", requests[0].Messages[0]!["content"]!.GetValue<string>());
        Assert.Equal("second question", requests[1].Messages[0]!["content"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(requests[0].RawBody), requests[0].Body));
        // SDK 13.13.0 sends the API key as a bearer token; header names are case-insensitive.
        Assert.Equal("Bearer fake-key", requests[0].Headers["AUTHORIZATION"]);
        Assert.True(requests[0].Headers.ContainsKey("anthropic-version"));
        Assert.Equal("/v1/messages", requests[0].Path);
    }

    [Fact]
    public async Task A_reply_function_answers_from_the_request_once_the_queue_is_empty()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("queued first"));
        fake.Respond(request => FakeReply.Text($"echo #{request.Number}: {request.Messages[^1]!["content"]}"));
        var client = Sdk.Client(fake);

        var first = await client.Messages.Create(Sdk.Ask("a"), Sdk.Deadline());
        var second = await client.Messages.Create(Sdk.Ask("b"), Sdk.Deadline());

        Assert.Equal("queued first", first.Text());
        Assert.Equal("echo #2: b", second.Text());
    }

    [Fact]
    public async Task Waiting_for_requests_that_never_come_times_out_with_the_count()
    {
        await using var fake = await FakeMessagesServer.StartAsync();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => fake.WaitForRequestsAsync(1, TimeSpan.FromMilliseconds(200)));

        Assert.Contains("got 0", error.Message);
    }

    [Fact]
    public async Task Parallel_requests_each_get_exactly_one_reply()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            fake.Enqueue(FakeReply.Text($"reply {i}").WithTokenDelay(TimeSpan.FromMilliseconds(5)));
        }
        var client = Sdk.Client(fake, maxRetries: 0);

        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            i % 2 == 0
                ? (await client.Messages.Create(Sdk.Ask($"q{i}"), Sdk.Deadline())).Text()
                : (await client.Messages.CreateStreaming(Sdk.Ask($"q{i}"), Sdk.Deadline()).Aggregate()).Text()));

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"reply {i}").Order(), answers.Order());
        Assert.Equal(count, fake.Requests.Count);
        Assert.Equal(Enumerable.Range(1, count), fake.Requests.Select(r => r.Number));
    }
}
