using System.Net;
using Anthropic;
using Anthropic.Exceptions;

namespace Hangar.FakeModel.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task A_rate_limit_arrives_as_the_typed_exception_with_retry_after()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(429, retryAfterSeconds: 7));

        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(
            () => Sdk.Client(fake, maxRetries: 0).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline()));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Contains("rate_limit_error", error.ResponseBody);
        Assert.StartsWith("req_", error.RequestID);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task The_sdk_retries_a_rate_limit_and_gets_the_next_reply()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(429, retryAfterSeconds: 1));
        fake.Enqueue(FakeReply.Text("after the wait"));

        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        Assert.Equal("after the wait", message.Text());
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task The_sdk_retries_a_streaming_request_refused_as_overloaded()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(529, retryAfterSeconds: 0));
        fake.Enqueue(FakeReply.Text("back"));

        var message = await Sdk.Client(fake).Messages.CreateStreaming(Sdk.Ask("Hi"), Sdk.Deadline()).Aggregate();

        Assert.Equal("back", message.Text());
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Overloaded_arrives_as_the_typed_exception()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(529));

        var error = await Assert.ThrowsAsync<AnthropicOverloadedException>(
            () => Sdk.Client(fake, maxRetries: 0).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline()));

        Assert.Contains("overloaded_error", error.ResponseBody);
    }

    [Fact]
    public async Task Server_error_and_bad_request_arrive_as_typed_exceptions()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Fault(500));
        fake.Enqueue(FakeReply.Fault(400, message: "messages: at least one message is required"));
        var client = Sdk.Client(fake, maxRetries: 0);

        var server = await Assert.ThrowsAnyAsync<Anthropic5xxException>(() => client.Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline()));
        var bad = await Assert.ThrowsAsync<AnthropicBadRequestException>(() => client.Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline()));

        Assert.Contains("api_error", server.ResponseBody);
        Assert.Contains("at least one message is required", bad.ResponseBody);
    }

    [Fact]
    public async Task An_unscripted_request_fails_loudly_and_is_not_retried()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("the only one"));
        var client = Sdk.Client(fake);
        await client.Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        var error = await Assert.ThrowsAnyAsync<Anthropic5xxException>(() => client.Messages.Create(Sdk.Ask("Again"), Sdk.Deadline()));

        Assert.Contains("fake model: no scripted reply for request #2", error.ResponseBody);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_without_using_a_reply()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("for the right key"));
        var stranger = new AnthropicClient(new Anthropic.Core.ClientOptions
        {
            BaseUrl = fake.BaseUrl.ToString(),
            ApiKey = "wrong-key",
            MaxRetries = 0,
        });

        await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => stranger.Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline()));
        var message = await Sdk.Client(fake).Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        Assert.Equal("for the right key", message.Text());
    }

    [Fact]
    public async Task A_bearer_token_is_accepted_like_an_api_key()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("hi"));
        var bearer = new AnthropicClient(new Anthropic.Core.ClientOptions
        {
            BaseUrl = fake.BaseUrl.ToString(),
            AuthToken = fake.ApiKey,
            MaxRetries = 0,
        });

        var message = await bearer.Messages.Create(Sdk.Ask("Hi"), Sdk.Deadline());

        Assert.Equal("hi", message.Text());
        Assert.Equal("Bearer fake-key", fake.Requests[0].Headers["authorization"]);
    }
}
