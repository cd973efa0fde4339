using System.Text.Json;
using Anthropic;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Events;
using Anthropic.Models.Beta.Vaults;
using Anthropic.Models.Beta.Vaults.Credentials;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>Agents with an MCP server, vaults and sessions that reference them, through the SDK only.</summary>
public static class McpSessions
{
    /// <summary>An agent with the tracker server and an always-allow MCP toolset (plus the built-in tools).</summary>
    public static async Task<BetaManagedAgentsAgent> AgentAsync(AnthropicClient client, ModelScript script, Uri mcpUrl, CancellationToken ct)
    {
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams
            {
                Name = Arrange.Name("agent"),
                Model = BetaManagedAgentsModel.ClaudeSonnet4_6,
                System = script.SystemPrompt,
                McpServers = [new BetaManagedAgentsUrlMcpServerParams { Name = BearerMcpServer.Name, Url = mcpUrl.ToString() }],
                Tools =
                [
                    Turns.Toolset(),
                    new BetaManagedAgentsMcpToolsetParams
                    {
                        McpServerName = BearerMcpServer.Name,
                        DefaultConfig = new BetaManagedAgentsMcpToolsetDefaultConfigParams { PermissionPolicy = new BetaManagedAgentsAlwaysAllowPolicy() },
                    },
                ],
            },
            ct);
        agent.Validate();
        return agent;
    }

    /// <summary>A session of a fresh MCP agent with these vaults, remembered for the sweep.</summary>
    public static async Task<BetaManagedAgentsSession> SessionAsync(
        VaultHangar hangar, AnthropicClient client, ModelScript script, Uri mcpUrl, CancellationToken ct, params string[] vaultIds)
    {
        var agent = await AgentAsync(client, script, mcpUrl, ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams { Agent = agent.ID, EnvironmentID = environment.ID, VaultIds = vaultIds },
            ct);
        session.Validate();
        hangar.Sessions.Enqueue((client, session.ID));
        return session;
    }

    public static async Task<string> VaultAsync(VaultHangar hangar, AnthropicClient client, CancellationToken ct)
    {
        var vault = await client.Beta.Vaults.Create(new VaultCreateParams { DisplayName = Arrange.Name("vault") }, ct);
        vault.Validate();
        hangar.Vaults.Enqueue(vault.ID);
        return vault.ID;
    }

    public static async Task<BetaManagedAgentsCredential> StaticBearerAsync(
        AnthropicClient client, string vaultId, Uri mcpUrl, string token, CancellationToken ct)
    {
        var credential = await client.Beta.Vaults.Credentials.Create(
            vaultId,
            new CredentialCreateParams
            {
                DisplayName = "tracker token",
                Auth = new BetaManagedAgentsStaticBearerCreateParams { McpServerUrl = mcpUrl.ToString(), Token = token },
            },
            ct);
        credential.Validate();
        return credential;
    }

    /// <summary>The raw JSON of the <c>error</c> of each <c>session.error</c>.</summary>
    public static List<JsonElement> Errors(IEnumerable<BetaManagedAgentsSessionEvent> events) =>
        [.. events.Where(e => Turns.TypeOf(e) == "session.error").Select(e => e.Json.GetProperty("error"))];

    public static string ResultText(BetaManagedAgentsAgentMcpToolResultEvent result) =>
        string.Concat((result.Content ?? []).Select(c => c.Json.GetRawText()));
}
