using System.Text.Json.Nodes;
using Hangar.Harness.Models;
using Hangar.Harness.Models.OpenAi;

namespace Hangar.Harness.Tests.Models;

/// <summary>The agent's model settings in the request each provider receives (docs/models.md).</summary>
public sealed class ModelSettingsTests
{
    private static JsonObject Agent(string model) => new() { ["model"] = JsonNode.Parse(model) };

    [Fact]
    public void Settings_other_than_the_defaults_go_into_the_messages_request()
    {
        var request = ModelSettings.Apply(Requests.Ask("Hi"), Agent("""{"id":"m","effort":{"type":"low"},"speed":"fast","inference_geo":"eu"}"""));

        Assert.Equal("low", (string?)request.Body["output_config"]?["effort"]);
        Assert.Equal("fast", (string?)request.Body["speed"]);
        Assert.Equal("eu", (string?)request.Body["inference_geo"]);
    }

    [Fact]
    public void Default_settings_leave_the_request_as_it_was_so_models_without_them_still_work()
    {
        var plain = Requests.Ask("Hi");
        var before = plain.Body.ToJsonString();

        var request = ModelSettings.Apply(plain, Agent("""{"id":"m","effort":{"type":"high"},"speed":"standard"}"""));

        Assert.Equal(before, request.Body.ToJsonString());
    }

    [Theory]
    [InlineData("low", "low")]
    [InlineData("medium", "medium")]
    [InlineData("xhigh", "high")]
    [InlineData("max", "high")]
    public async Task Effort_reaches_an_openai_compatible_model_as_reasoning_effort(string effort, string expected)
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("ok"));
        var client = new OpenAiCompatibleModelClient(new OpenAiCompatibleOptions(fake.BaseUrl, "sk-fake", TimeSpan.FromSeconds(30)), "o-model");
        var request = ModelSettings.Apply(Requests.Ask("Hi"), Agent($$"""{"id":"m","effort":{"type":"{{effort}}"},"speed":"fast","inference_geo":"eu"}"""));

        await client.StreamAsync(request, NullModelStreamObserver.Instance, Requests.Deadline());

        var sent = Assert.Single(fake.Requests);
        Assert.Equal(expected, (string?)sent["reasoning_effort"]);
        // No chat equivalent: never sent (an unknown field would be refused by strict servers).
        Assert.Null(sent["speed"]);
        Assert.Null(sent["inference_geo"]);
    }

    [Fact]
    public async Task The_default_effort_sends_no_reasoning_effort_to_an_openai_compatible_model()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("ok"));
        var client = new OpenAiCompatibleModelClient(new OpenAiCompatibleOptions(fake.BaseUrl, "sk-fake", TimeSpan.FromSeconds(30)), "llama-3");

        await client.StreamAsync(ModelSettings.Apply(Requests.Ask("Hi"), Agent("""{"id":"m","effort":{"type":"high"}}""")), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.False(Assert.Single(fake.Requests).ContainsKey("reasoning_effort"));
    }
}
