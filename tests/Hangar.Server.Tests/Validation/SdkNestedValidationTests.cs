using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.Validation;

/// <summary>
/// The nested objects of every write route (agent <c>model</c>, each kind of <c>tools</c> item and its configs,
/// <c>mcp_servers</c>, <c>skills</c>, environment <c>config</c>, session <c>agent</c> and <c>resources</c>,
/// event variants and content blocks, credential <c>auth</c> variants): for each field the official SDK's
/// model type can send (found by reflection), (a) a valid value is accepted or, where Hangar cannot honour
/// it, refused by a 400 naming its path; (b) an unknown key is a 400 naming its path; (c) a wrong-typed value
/// is a 400 naming its path.
/// </summary>
public sealed class SdkNestedValidationTests(ValidationSeed server) : IClassFixture<ValidationSeed>
{
    public static TheoryData<string, string> Fields()
    {
        var data = new TheoryData<string, string>();
        foreach (var site in SdkNestedSites.All)
        {
            foreach (var field in SdkRequestFields.ModelFields(SdkRequestFields.ParamsType(site.SdkType)))
            {
                data.Add(site.Name, field.Name);
            }
        }
        return data;
    }

    public static TheoryData<string> Sites() => [.. SdkNestedSites.All.Select(s => s.Name)];

    [Fact]
    public void Reflection_finds_the_nested_fields_the_spec_lists()
    {
        string[] Names(string type) => [.. SdkRequestFields.ModelFields(SdkRequestFields.ParamsType(type)).Select(f => f.Name)];

        Assert.Superset(new HashSet<string> { "id", "speed" }, Names("Agents.BetaManagedAgentsModelConfigParams").ToHashSet());
        Assert.Superset(new HashSet<string> { "type", "default_config", "configs" },
            Names("Agents.BetaManagedAgentsAgentToolset20260401Params").ToHashSet());
        Assert.Superset(new HashSet<string> { "type", "name", "description", "input_schema" },
            Names("Agents.BetaManagedAgentsCustomToolParams").ToHashSet());
        Assert.Superset(new HashSet<string> { "type", "token", "mcp_server_url" },
            Names("Vaults.Credentials.BetaManagedAgentsStaticBearerCreateParams").ToHashSet());
    }

    [Theory, MemberData(nameof(Fields))]
    public async Task A_nested_field_with_a_valid_value_is_accepted(string siteName, string field)
    {
        var (site, sdkField) = Find(siteName, field);
        var (body, path) = await BodyWith(site, field, existing => existing ?? SdkNestedSites.ValidValue(site, sdkField));

        var (status, response) = await SendAsync(site, body);

        if (SdkNestedSites.RefusedByRule.ContainsKey($"{siteName}:{field}"))
        {
            Assert.True(status == 400, $"{site.Route} with {path}: {body} → {status} {response?.ToJsonString()}");
            Assert.Contains(path, Message(response));
            return;
        }
        Assert.True(status is >= 200 and < 300, $"{site.Route} with {path}: {body} → {status} {response?.ToJsonString()}");
    }

    [Theory, MemberData(nameof(Sites))]
    public async Task An_unknown_nested_field_is_a_400_naming_its_path(string siteName)
    {
        var site = SdkNestedSites.All.Single(s => s.Name == siteName);
        var (body, path) = await BodyWith(site, "not_a_real_field", _ => "1");

        var (status, response) = await SendAsync(site, body);

        Assert.True(status == 400, $"{site.Route} with {path}: {body} → {status} {response?.ToJsonString()}");
        Assert.Equal("invalid_request_error", (string?)response!["error"]!["type"]);
        Assert.Contains(path, Message(response));
    }

    [Theory, MemberData(nameof(Fields))]
    public async Task A_wrong_typed_nested_value_is_a_400_naming_its_path(string siteName, string field)
    {
        var (site, sdkField) = Find(siteName, field);
        var (body, path) = await BodyWith(site, field, _ => sdkField.WrongTypedJson);

        var (status, response) = await SendAsync(site, body);

        if (SdkNestedSites.LenientByDesign.ContainsKey($"{siteName}:{field}"))
        {
            Assert.True(status is >= 200 and < 300, $"{site.Route} with {path}: {body} → {status} {response?.ToJsonString()}");
            return;
        }
        Assert.True(status == 400, $"{site.Route} with {path}: {body} → {status} {response?.ToJsonString()}");
        Assert.Equal("invalid_request_error", (string?)response!["error"]!["type"]);
        Assert.Contains(path, Message(response));
    }

    private static (SdkNestedSite Site, SdkField Field) Find(string siteName, string field)
    {
        var site = SdkNestedSites.All.Single(s => s.Name == siteName);
        return (site, SdkRequestFields.ModelFields(SdkRequestFields.ParamsType(site.SdkType)).Single(f => f.Name == field));
    }

    /// <summary>The site's body with <paramref name="field"/> of the object at its path set to <paramref name="value"/> (given the current raw JSON, if any).</summary>
    private async Task<(string Body, string Path)> BodyWith(SdkNestedSite site, string field, Func<string?, string> value)
    {
        var body = JsonNode.Parse(await server.Fill(site.Body))!;
        var target = At(body, site.Path);
        target[field] = JsonNode.Parse(await server.Fill(value(target[field]?.ToJsonString())));
        return (body.ToJsonString(), $"{site.Path}.{field}");
    }

    /// <summary>The object at <c>tools[0].configs[0]</c>-style <paramref name="path"/>.</summary>
    private static JsonObject At(JsonNode root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            node = bracket < 0 ? node[part]! : node[part[..bracket]]![int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
        }
        return node.AsObject();
    }

    /// <summary>Credentials go to a fresh vault each time: a vault holds at most 20, and this walk creates more.</summary>
    private async Task<(int Status, JsonNode? Body)> SendAsync(SdkNestedSite site, string body)
    {
        var path = site.ParamsType == "Vaults.Credentials.CredentialCreateParams"
            ? site.Route.Path.Replace("{vault}", await server.FreshVaultAsync(), StringComparison.Ordinal)
            : site.Route.Path;
        return await ServerFixture.SendAsync(server.Client, HttpMethod.Post, await server.Fill(path), body);
    }

    private static string Message(JsonNode? response) => (string?)response?["error"]?["message"] ?? "";
}
