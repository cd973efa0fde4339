using Hangar.FakeModel;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Models.OpenAi;
using Hangar.Harness.Models.Scripted;

namespace Hangar.Harness.Tests.Models;

public sealed class ModelRouterTests
{
    private static readonly AnthropicModelOptions NoAnthropic = new(ApiKey: null);

    [Fact]
    public void Scripted_ids_go_to_the_scripted_model_without_any_configuration()
    {
        var router = new ModelRouter(new ModelRoutingOptions(NoAnthropic));

        Assert.IsType<ScriptedModelClient>(router.For("scripted"));
        Assert.IsType<ScriptedModelClient>(router.For("scripted-demo"));
    }

    [Fact]
    public void An_unconfigured_provider_names_the_variable_to_set()
    {
        var router = new ModelRouter(new ModelRoutingOptions(NoAnthropic));

        var anthropic = Assert.Throws<ModelException>(() => router.For("claude-sonnet-4-5"));
        var openAi = Assert.Throws<ModelException>(() => router.For("openai/gpt-4o"));

        Assert.Equal(ModelFailure.Authentication, anthropic.Failure);
        Assert.Contains("ANTHROPIC_API_KEY", anthropic.Message);
        Assert.Equal(ModelFailure.InvalidRequest, openAi.Failure);
        Assert.Contains("HANGAR_OPENAI_BASE_URL", openAi.Message);
    }

    [Fact]
    public async Task Other_ids_reach_anthropic()
    {
        await using var fake = await FakeMessagesServer.StartAsync();
        fake.Enqueue(FakeReply.Text("from anthropic"));
        var router = new ModelRouter(new ModelRoutingOptions(new AnthropicModelOptions(fake.ApiKey, fake.BaseUrl.ToString())));

        var response = await router.For("claude-sonnet-4-5").StreamAsync(Requests.Ask("Hi"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("from anthropic", (string?)response.Content[0]["text"]);
        Assert.Equal("claude-sonnet-4-5", Assert.Single(fake.Requests).Model);
    }

    [Fact]
    public async Task The_openai_prefix_reaches_the_compatible_endpoint_with_the_prefix_removed()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Enqueue(ChatReply.Text("from a local model"));
        var router = new ModelRouter(new ModelRoutingOptions(NoAnthropic, new OpenAiCompatibleOptions(fake.BaseUrl, ApiKey: null), OpenAiPrefix: "local/"));

        var response = await router.For("local/qwen2.5").StreamAsync(Requests.Ask("Hi", model: "local/qwen2.5"), NullModelStreamObserver.Instance, Requests.Deadline());

        Assert.Equal("from a local model", (string?)response.Content[0]["text"]);
        Assert.Equal("qwen2.5", (string?)Assert.Single(fake.Requests)["model"]);
        Assert.Same(router.For("local/qwen2.5"), router.For("local/qwen2.5"));
    }
}
