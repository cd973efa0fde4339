using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Agents;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// An agent's <c>model</c> settings, set through the SDK's own types, reach the Messages request the
/// model receives (effort as <c>output_config.effort</c>, speed with its beta, inference_geo); values
/// the SDK types do not allow are refused with a 400 naming the field.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class ModelSettingsTests(WorkingHangars servers)
{
    [Fact]
    public async Task Effort_speed_and_inference_geo_reach_the_model_request()
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(StoreKind.Sqlite);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(FakeReply.Text("tuned"));
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams
            {
                Name = Arrange.Name("tuned"),
                Model = new BetaManagedAgentsModelConfigParams
                {
                    ID = "claude-opus-4-6",
                    Effort = BetaManagedAgentsEffortLevel.Low,
                    Speed = BetaManagedAgentsModelConfigParamsSpeed.Fast,
                    InferenceGeo = "us",
                },
                System = script.SystemPrompt,
            },
            ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.SessionAsync(agent.ID, environment.ID, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("go"));
        await client.WaitForIdleAsync(session.ID, ct);

        var request = Assert.Single(script.Requests);
        Assert.Equal("claude-opus-4-6", request.Model);
        Assert.Equal("low", (string?)request.Body?["output_config"]?["effort"]);
        Assert.Equal("fast", (string?)request.Body?["speed"]);
        Assert.Equal("us", (string?)request.Body?["inference_geo"]);
        Assert.Contains("fast-mode-2026-02-01", request.Headers["anthropic-beta"]);
    }

    [Fact]
    public async Task An_agent_with_default_settings_sends_none_of_them()
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(StoreKind.Sqlite);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(FakeReply.Text("plain"));
        var session = await client.SessionAsync(script, ct);

        await client.SendAsync(session.ID, ct, Turns.Message("go"));
        await client.WaitForIdleAsync(session.ID, ct);

        var body = Assert.Single(script.Requests).Body!.AsObject();
        Assert.False(body.ContainsKey("output_config"));
        Assert.False(body.ContainsKey("speed"));
        Assert.False(body.ContainsKey("inference_geo"));
    }

    public static TheoryData<string, BetaManagedAgentsModelConfigParams> Invalid => new()
    {
        { "model.effort", new() { ID = "claude-opus-4-6", Effort = (ApiEnum<string, BetaManagedAgentsEffortLevel>)"extreme" } },
        { "model.speed", new() { ID = "claude-opus-4-6", Speed = (ApiEnum<string, BetaManagedAgentsModelConfigParamsSpeed>)"warp" } },
        { "model.inference_geo", new() { ID = "claude-opus-4-6", InferenceGeo = "" } },
        { "model.id", new() { ID = "" } },
    };

    [Theory, MemberData(nameof(Invalid))]
    public async Task An_invalid_model_setting_is_refused_naming_the_field(string field, BetaManagedAgentsModelConfigParams model)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(StoreKind.Sqlite);
        var error = await Assert.ThrowsAsync<AnthropicBadRequestException>(() =>
            hangar.Server.Client().Beta.Agents.Create(new AgentCreateParams { Name = Arrange.Name("bad"), Model = model }, ct));
        Assert.Contains(field, error.Message);
    }
}
