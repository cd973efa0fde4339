using System.Text;
using System.Text.Json.Nodes;
using Hangar.Server.Tests.BadInput;
using Hangar.Server.Tests.Vaults;

namespace Hangar.Server.Tests.Validation;

/// <summary>
/// A server (with a master key, for credentials and repository tokens) holding one of each resource the
/// write routes act on: agent, environment, file, an idle session with a github_repository resource,
/// a vault and a credential. <see cref="Fill"/> puts their ids into a body or path.
/// </summary>
public sealed class ValidationSeed : VaultServerFixture
{
    private readonly Dictionary<string, string> _ids = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ids["agent"] = await IdAsync("/v1/agents", """{"name":"seed","model":"claude-sonnet-4-6"}""");
        _ids["env"] = await IdAsync("/v1/environments", """{"name":"validation-seed"}""");
        using var upload = BadInputSeed.Multipart(Encoding.UTF8.GetBytes("hello"), "hello.txt");
        using var response = await Client.PostAsync("/v1/files", upload);
        _ids["file"] = (string)TryParse(await response.Content.ReadAsStringAsync())!["id"]!;
        var session = await OkAsync(HttpMethod.Post, "/v1/sessions", $$"""
            {"agent":"{{_ids["agent"]}}","environment_id":"{{_ids["env"]}}",
             "resources":[{"type":"github_repository","url":"https://github.com/o/r","authorization_token":"ghp_seed"}]}
            """);
        _ids["session"] = (string)session["id"]!;
        _ids["repository"] = (string)session["resources"]![0]!["id"]!;
        _ids["vault"] = await IdAsync("/v1/vaults", """{"display_name":"seed"}""");
        _ids["credential"] = (string)(await CredentialAsync(_ids["vault"], """{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/seed","token":"t"}"""))["id"]!;
    }

    /// <summary>Replaces <c>{name}</c> placeholders with seed ids, <c>{unique}</c> with a fresh suffix, <c>{agent_version}</c> with the agent's current version.</summary>
    public async Task<string> Fill(string text)
    {
        if (text.Contains("{agent_version}", StringComparison.Ordinal))
        {
            var agent = await OkAsync(HttpMethod.Get, $"/v1/agents/{_ids["agent"]}");
            text = text.Replace("{agent_version}", ((int)agent["version"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        foreach (var (name, id) in _ids)
        {
            text = text.Replace("{" + name + "}", id, StringComparison.Ordinal);
        }
        return text.Replace("{unique}", Guid.NewGuid().ToString("N")[..10], StringComparison.Ordinal);
    }

    /// <summary>A new empty vault, for tests that create more credentials than one vault holds.</summary>
    public Task<string> FreshVaultAsync() => IdAsync("/v1/vaults", """{"display_name":"fresh"}""");

    private async Task<string> IdAsync(string path, string json) => (string)(await OkAsync(HttpMethod.Post, path, json))["id"]!;

    /// <summary>The base body with <paramref name="field"/> set to the raw JSON <paramref name="value"/>.</summary>
    public async Task<string> BodyWith(SdkRoute route, string field, string value)
    {
        var body = JsonNode.Parse(await Fill(route.BaseBody))!.AsObject();
        body[field] = JsonNode.Parse(await Fill(value));
        return body.ToJsonString();
    }
}
