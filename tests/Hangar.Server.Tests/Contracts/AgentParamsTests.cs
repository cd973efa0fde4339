using System.Text;
using Hangar.Contracts;
using Hangar.Contracts.Agents;
using Hangar.Contracts.Serialization;

namespace Hangar.Server.Tests.Contracts;

/// <summary>
/// Agent request bodies read into their records: every refusal is a 400 whose message starts with
/// the path of the field to fix, whether System.Text.Json or the record's validation found it.
/// </summary>
public sealed class AgentParamsTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 8, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("""{"name":5,"model":"m"}""", "name: ")]
    [InlineData("""{"nmae":"a","name":"a","model":"m"}""", "nmae: unknown field")]
    [InlineData("""{"name":"a","model":[]}""", "model: expected a model id string or an object, got an array.")]
    [InlineData("""{"name":"a","model":{"id":5}}""", "model.id: ")]
    [InlineData("""{"name":"a","model":{"id":"m","effort":{"type":"extreme"}}}""", "model.effort: expected one of")]
    [InlineData("""{"name":"a","model":{"id":"m","speed":"warp"}}""", "model.speed: expected one of")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"laser"}]}""", "tools[0].type: unknown type 'laser'")]
    [InlineData("""{"name":"a","model":"m","tools":[{"name":"x"}]}""", "tools[0].type: Field required.")]
    [InlineData("""{"name":"a","model":"m","tools":{}}""", "tools: expected an array.")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"custom","name":"t","description":"d","input_schema":{"type":"object"},"extra":1}]}""", "tools[0].extra: unknown field")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"teleport"}]}]}""", "tools[0].configs[0].name: unknown tool 'teleport'")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"agent_toolset_20260401","default_config":{"permission_policy":{"type":"sometimes"}}}]}""", "tools[0].default_config.permission_policy.type: unknown policy 'sometimes'")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"bash","max_uses":3}]}]}""", "tools[0].configs[0].max_uses: unknown field for the tool 'bash'")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"web_fetch","url_sources":{"user_input":"some"}}]}]}""", "tools[0].configs[0].url_sources.user_input: expected one of")]
    [InlineData("""{"name":"a","model":"m","tools":[{"type":"custom","name":"t","description":"d","input_schema":{"type":"string"}}]}""", "tools[0].input_schema.type: must be \"object\".")]
    [InlineData("""{"name":"a","model":"m","mcp_servers":[{"type":"url","name":"gh","url":"https://x.example"}]}""", "mcp_servers: the server 'gh' is not used")]
    [InlineData("""{"name":"a","model":"m","skills":[{"type":"custom","skill_id":"s","version":true}]}""", "skills[0].version: expected a string or an integer.")]
    [InlineData("""{"name":"a","model":"m","execution_identity":{"type":"aws_role","role_arn":"role"}}""", "execution_identity.role_arn: expected an IAM role ARN")]
    [InlineData("""{"name":"a","model":"m","metadata":{"k":5}}""", "metadata.k: ")]
    [InlineData("""{"name":""", "The request body is not valid JSON")]
    [InlineData("""[]""", "The request body must be a JSON object.")]
    public void A_refused_create_names_the_field(string body, string messageStart)
    {
        var error = Assert.Throws<InvalidRequestException>(() => RequestJson.Read<CreateAgentParams>(Encoding.UTF8.GetBytes(body)).ToAgent("agent_x", Now));
        Assert.True(error.Message.StartsWith(messageStart, StringComparison.Ordinal), $"expected '{messageStart}…', got '{error.Message}'");
    }

    [Fact]
    public void Shorthands_are_answered_in_object_form_with_every_default()
    {
        var agent = Create("""
            {"name":"a","model":"claude-sonnet-4-6","tools":[
              {"type":"agent_toolset_20260401","configs":[{"name":"bash","permission_policy":"always_ask"},{"name":"web_fetch"}]},
              {"type":"mcp_toolset","mcp_server_name":"gh"}],
             "mcp_servers":[{"type":"url","name":"gh","url":"https://mcp.example.com"}],
             "skills":[{"type":"anthropic","skill_id":"xlsx"}]}
            """);

        const string expected = """
            {"type":"agent","id":"agent_x","version":1,"name":"a","description":null,"system":null,
            "model":{"id":"claude-sonnet-4-6","effort":{"type":"high"},"speed":"standard"},"tools":[
            {"type":"agent_toolset_20260401","default_config":{"enabled":true,"permission_policy":{"type":"always_allow"}},"configs":[
            {"type":"bash","name":"bash","enabled":true,"permission_policy":{"type":"always_ask"}},
            {"type":"web_fetch","name":"web_fetch","enabled":true,"permission_policy":{"type":"always_allow"},"url_sources":null}]},
            {"type":"mcp_toolset","mcp_server_name":"gh","default_config":{"enabled":true,"permission_policy":{"type":"always_ask"}},"configs":[]}],
            "mcp_servers":[{"type":"url","name":"gh","url":"https://mcp.example.com"}],
            "skills":[{"type":"anthropic","skill_id":"xlsx","version":"latest"}],"multiagent":null,
            "execution_identity":{"type":"service_account"},"metadata":{},
            "created_at":"2026-04-08T12:00:00.000Z","updated_at":"2026-04-08T12:00:00.000Z","archived_at":null}
            """;
        Assert.Equal(expected.ReplaceLineEndings(""), WireJson.Serialize(agent));
    }

    [Fact]
    public void Stored_agents_read_back_to_the_same_json()
    {
        var json = WireJson.Serialize(Create("""
            {"name":"a","model":{"id":"m","effort":"low","inference_geo":"us"},"description":"d",
             "tools":[{"type":"agent_toolset_20260401","configs":[{"name":"web_search","allowed_domains":["example.com/docs"],"max_uses":3,
               "user_location":{"type":"approximate","city":"Oslo"}}]},
              {"type":"custom","name":"lookup","description":"d","input_schema":{"type":"object","properties":{"id":{"type":"string"}}}}],
             "execution_identity":{"type":"aws_role","role_arn":"arn:aws:iam::1:role/x"},"metadata":{"k":"v"}}
            """));

        Assert.Equal(json, WireJson.Serialize(WireJson.Deserialize<Agent>(json)));
    }

    [Fact]
    public void An_update_keeps_omitted_fields_clears_nulls_and_patches_metadata()
    {
        var current = Create("""{"name":"a","model":{"id":"m","effort":"low"},"system":"s","description":"d","metadata":{"keep":"1","drop":"2"}}""");
        var update = RequestJson.Read<UpdateAgentParams>(Encoding.UTF8.GetBytes(
            """{"description":null,"model":{"id":"m2"},"metadata":{"drop":null,"new":"3"}}"""));

        var next = update.ApplyTo(current);

        Assert.Equal("a", next.Name);
        Assert.Equal("s", next.System);
        Assert.Null(next.Description);
        Assert.Equal(new ModelConfig("m2", new Effort("low"), "standard"), next.Model);
        Assert.Equal(["keep", "new"], next.Metadata.Keys);
    }

    [Theory]
    [InlineData("""{"name":null}""", "name: cannot be cleared")]
    [InlineData("""{"model":null}""", "model: cannot be cleared")]
    [InlineData("""{"version":"1"}""", "version: ")]
    [InlineData("""{"tools":[{"type":"laser"}]}""", "tools[0].type: unknown type 'laser'")]
    [InlineData("""{"model":{"id":"m","speed":5}}""", "model.speed: ")]
    public void A_refused_update_names_the_field(string body, string messageStart)
    {
        var current = Create("""{"name":"a","model":"m"}""");
        var error = Assert.Throws<InvalidRequestException>(() => RequestJson.Read<UpdateAgentParams>(Encoding.UTF8.GetBytes(body)).ApplyTo(current));
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
    }

    private static Agent Create(string body) =>
        RequestJson.Read<CreateAgentParams>(Encoding.UTF8.GetBytes(body)).ToAgent("agent_x", Now);
}
