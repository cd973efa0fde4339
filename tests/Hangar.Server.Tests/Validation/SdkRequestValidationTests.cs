using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Validation;

/// <summary>
/// Every body field the official SDK's request types can send, per write route, found by reflection
/// (<see cref="SdkRequestFields"/>): (a) with a valid value it is accepted, (b) an unknown field is a 400
/// naming it, (c) a wrong-typed value for each field is a 400 <c>invalid_request_error</c> naming it.
/// </summary>
public sealed class SdkRequestValidationTests(ValidationSeed server) : IClassFixture<ValidationSeed>
{
    public static TheoryData<string, string> Fields()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in SdkRoutes.All)
        {
            foreach (var field in SdkRequestFields.BodyFields(SdkRequestFields.ParamsType(route.ParamsType)))
            {
                data.Add(route.ParamsType, field.Name);
            }
        }
        return data;
    }

    public static TheoryData<string> Routes() => [.. SdkRoutes.All.Select(r => r.ParamsType)];

    [Fact]
    public void Reflection_finds_the_fields_the_spec_lists()
    {
        string[] Names(string type) => [.. SdkRequestFields.BodyFields(SdkRequestFields.ParamsType(type)).Select(f => f.Name)];

        Assert.Superset(
            new HashSet<string> { "name", "model", "description", "system", "tools", "mcp_servers", "skills", "metadata" },
            Names("Agents.AgentCreateParams").ToHashSet());
        Assert.Superset(new HashSet<string> { "name", "config", "description", "metadata", "scope" }, Names("Environments.EnvironmentCreateParams").ToHashSet());
        Assert.Superset(
            new HashSet<string> { "agent", "environment_id", "initial_events", "resources", "vault_ids", "metadata", "title" },
            Names("Sessions.SessionCreateParams").ToHashSet());
        Assert.Equal(["events"], Names("Sessions.Events.EventSendParams"));
        Assert.DoesNotContain("betas", Names("Agents.AgentUpdateParams"));
        Assert.DoesNotContain("agent_id", Names("Agents.AgentUpdateParams"));
    }

    [Theory, MemberData(nameof(Fields))]
    public async Task An_accepted_field_with_a_valid_value_is_accepted(string paramsType, string field)
    {
        var (route, sdkField) = Find(paramsType, field);
        var body = await server.BodyWith(route, field, SdkRoutes.ValidValue(route, sdkField));

        var (status, response) = await SendAsync(route, body);

        if (SdkRoutes.RefusedByRule.ContainsKey($"{paramsType}:{field}"))
        {
            Assert.Equal(400, status);
            Assert.Contains(field, Message(response));
            Assert.DoesNotContain("unknown field", Message(response));
            return;
        }
        Assert.True(status is >= 200 and < 300, $"{route} with {field}: {body} → {status} {response?.ToJsonString()}");
    }

    [Theory, MemberData(nameof(Routes))]
    public async Task An_unknown_field_is_a_400_naming_it(string paramsType)
    {
        var route = SdkRoutes.All.Single(r => r.ParamsType == paramsType);
        var body = await server.BodyWith(route, "not_a_real_field", "1");

        var (status, response) = await SendAsync(route, body);

        Assert.True(status == 400, $"{route}: {status} {response?.ToJsonString()}");
        Assert.Equal("invalid_request_error", (string?)response!["error"]!["type"]);
        Assert.Contains("not_a_real_field", Message(response));
    }

    [Theory, MemberData(nameof(Fields))]
    public async Task A_wrong_typed_value_is_a_400_naming_the_field(string paramsType, string field)
    {
        var (route, sdkField) = Find(paramsType, field);
        var body = await server.BodyWith(route, field, sdkField.WrongTypedJson);

        var (status, response) = await SendAsync(route, body);

        Assert.True(status == 400, $"{route} with {field}: {body} → {status} {response?.ToJsonString()}");
        Assert.Equal("invalid_request_error", (string?)response!["error"]!["type"]);
        Assert.Contains(field, Message(response));
    }

    private static (SdkRoute Route, SdkField Field) Find(string paramsType, string field)
    {
        var route = SdkRoutes.All.Single(r => r.ParamsType == paramsType);
        return (route, SdkRequestFields.BodyFields(SdkRequestFields.ParamsType(paramsType)).Single(f => f.Name == field));
    }

    private async Task<(int Status, JsonNode? Body)> SendAsync(SdkRoute route, string body) =>
        await ServerFixture.SendAsync(server.Client, HttpMethod.Post, await server.Fill(route.Path), body);

    private static string Message(JsonNode? response) => (string?)response?["error"]?["message"] ?? "";
}
