using Anthropic.Exceptions;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Events;
using Anthropic.Models.Beta.Vaults;
using Anthropic.Models.Beta.Vaults.Credentials;
using Hangar.Conformance.Tests.Harness.Vaults;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// Vault credentials used by MCP servers end to end (issue 6): real MCP servers and a real token endpoint on
/// loopback, the fake model calling the tool, the official SDK as the only client. Each test ends with the
/// secret-leak sweep over everything the server has produced so far.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class VaultMcpTests(VaultHangar hangar) : IClassFixture<VaultHangar>
{
    private static readonly object IssueInput = new { title = "Login page crashes" };

    [Fact]
    public async Task Without_a_vault_the_call_fails_with_an_authentication_error_and_with_a_static_bearer_vault_it_succeeds()
    {
        var ct = Timeouts.Test(120);
        var token = hangar.Secret("static-bearer-token");
        await using var mcp = await BearerMcpServer.StartAsync(token, ct);
        var client = hangar.Client();

        var bare = hangar.Scripts.New().Then(FakeReply.ToolUse(BearerMcpServer.Tool, IssueInput), FakeReply.Text("I could not file it."));
        var without = await McpSessions.SessionAsync(hangar, client, bare, mcp.Url, ct);
        await client.SendAsync(without.ID, ct, Turns.Message("file a bug"));
        var failed = await client.WaitForIdleAsync(without.ID, ct);

        Assert.Empty(mcp.Issues);
        var errors = McpSessions.Errors(failed);
        Assert.NotEmpty(errors);
        Assert.All(errors, error =>
        {
            Assert.Equal("mcp_authentication_failed_error", error.GetProperty("type").GetString());
            Assert.Equal(BearerMcpServer.Name, error.GetProperty("mcp_server_name").GetString());
            Assert.Contains("credential", error.GetProperty("message").GetString());
        });
        var failedResult = Assert.Single(Turns.All<BetaManagedAgentsAgentMcpToolResultEvent>(failed));
        Assert.True(failedResult.IsError);
        Assert.True(Turns.LastStop(failed).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(failed).Json}");
        Assert.Equal(BetaManagedAgentsSessionStatus.Idle, (await client.RetrieveAsync(without.ID, ct)).Status.Value());

        var vaultId = await McpSessions.VaultAsync(hangar, client, ct);
        var credential = await McpSessions.StaticBearerAsync(client, vaultId, mcp.Url, token, ct);
        // The bash call makes the sandbox exist, so the sweep looks into a real workspace too.
        var vaulted = hangar.Scripts.New().Then(
            FakeReply.ToolUse("bash", new { command = "env; ls -la" }).ThenToolUse(BearerMcpServer.Tool, IssueInput),
            FakeReply.Text("Filed it."));
        var with = await McpSessions.SessionAsync(hangar, client, vaulted, mcp.Url, ct, vaultId);
        await client.SendAsync(with.ID, ct, Turns.Message("file a bug"));
        var done = await client.WaitForIdleAsync(with.ID, ct);

        Assert.Empty(McpSessions.Errors(done));
        Assert.Equal(["Login page crashes"], mcp.Issues);
        Assert.Contains("Bearer " + token, mcp.AuthorizationHeaders);
        var result = Assert.Single(Turns.All<BetaManagedAgentsAgentMcpToolResultEvent>(done));
        Assert.NotEqual(true, result.IsError);
        Assert.Contains("Created issue #1: Login page crashes", McpSessions.ResultText(result));
        Assert.Contains("Created issue #1: Login page crashes", vaulted.Requests[^1].Messages[^1]!.ToJsonString());
        Assert.True(Turns.LastStop(done).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(done).Json}");
        Assert.True(Directory.Exists(Path.Combine(hangar.Workspaces, with.ID)), "the bash call created no workspace");
        Assert.Contains(await SecretSweep.AuditAsync(hangar, vaultId, ct), entry =>
            entry.GetProperty("outcome").GetString() == "used"
            && entry.GetProperty("session_id").GetString() == with.ID
            && entry.GetProperty("credential_id").GetString() == credential.ID);

        await SecretSweep.AssertNoSecretAsync(hangar, ct);
    }

    [Fact]
    public async Task An_expired_oauth_token_is_refreshed_against_the_token_endpoint_and_the_call_uses_the_new_one()
    {
        var ct = Timeouts.Test(120);
        var expired = hangar.Secret("expired-access-token");
        var refreshToken = hangar.Secret("refresh-token");
        var clientSecret = hangar.Secret("client-secret");
        var refreshed = hangar.Secret("refreshed-access-token");
        var rotated = hangar.Secret("rotated-refresh-token");
        await using var tokens = await OAuthTokenEndpoint.StartAsync(refreshed, rotated, ct);
        await using var mcp = await BearerMcpServer.StartAsync(refreshed, ct);
        var client = hangar.Client();
        var vaultId = await McpSessions.VaultAsync(hangar, client, ct);
        var created = await client.Beta.Vaults.Credentials.Create(
            vaultId,
            new CredentialCreateParams
            {
                DisplayName = "tracker oauth",
                Auth = new BetaManagedAgentsMcpOAuthCreateParams
                {
                    McpServerUrl = mcp.Url.ToString(),
                    AccessToken = expired,
                    ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1),
                    Refresh = new BetaManagedAgentsMcpOAuthRefreshParams
                    {
                        ClientID = "hangar-e2e",
                        RefreshToken = refreshToken,
                        TokenEndpoint = tokens.Url.ToString(),
                        TokenEndpointAuth = new BetaManagedAgentsTokenEndpointAuthPostParam { ClientSecret = clientSecret },
                    },
                },
            },
            ct);
        created.Validate();
        var script = hangar.Scripts.New().Then(FakeReply.ToolUse(BearerMcpServer.Tool, IssueInput), FakeReply.Text("Filed it."));
        var session = await McpSessions.SessionAsync(hangar, client, script, mcp.Url, ct, vaultId);

        await client.SendAsync(session.ID, ct, Turns.Message("file a bug"));
        var events = await client.WaitForIdleAsync(session.ID, ct);

        Assert.Empty(McpSessions.Errors(events));
        Assert.Equal(["Login page crashes"], mcp.Issues);
        Assert.Contains("Bearer " + refreshed, mcp.AuthorizationHeaders);
        Assert.DoesNotContain("Bearer " + expired, mcp.AuthorizationHeaders);
        var result = Assert.Single(Turns.All<BetaManagedAgentsAgentMcpToolResultEvent>(events));
        Assert.NotEqual(true, result.IsError);
        Assert.Contains("Created issue #1", script.Requests[^1].Messages[^1]!.ToJsonString());

        // One refresh-token grant with client_secret_post authentication.
        var form = Assert.Single(tokens.Requests);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal(refreshToken, form["refresh_token"]);
        Assert.Equal("hangar-e2e", form["client_id"]);
        Assert.Equal(clientSecret, form["client_secret"]);

        // The credential's expiry moved forward (about an hour from now), as the SDK reads it.
        var after = await client.Beta.Vaults.Credentials.Retrieve(created.ID, new CredentialRetrieveParams { VaultID = vaultId }, ct);
        after.Validate();
        Assert.True(after.Auth.TryPickBetaManagedAgentsMcpOAuthAuthResponse(out var oauth), $"auth {after.Auth.Json}");
        Assert.NotNull(oauth.ExpiresAt);
        Assert.True(oauth.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(50), $"expires_at {oauth.ExpiresAt}");
        Assert.Contains(await SecretSweep.AuditAsync(hangar, vaultId, ct), entry =>
            entry.GetProperty("outcome").GetString() == "refreshed" && entry.GetProperty("session_id").GetString() == session.ID);

        await SecretSweep.AssertNoSecretAsync(hangar, ct);
    }

    [Fact]
    public async Task Another_workspaces_vault_is_a_404_at_session_create()
    {
        var ct = Timeouts.Test();
        var owner = hangar.Client();
        var vaultId = await McpSessions.VaultAsync(hangar, owner, ct);
        var tenantB = hangar.Client(await hangar.Server.AddWorkspaceKeyAsync(Arrange.Name("tenant-b"), ct));
        var script = hangar.Scripts.New();
        var agent = await McpSessions.AgentAsync(tenantB, script, new Uri("https://mcp.example.com/mcp"), ct);
        var environment = await tenantB.CloudEnvironmentAsync(ct);

        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => tenantB.Beta.Sessions.Create(
            new SessionCreateParams { Agent = agent.ID, EnvironmentID = environment.ID, VaultIds = [vaultId] }, ct));
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => tenantB.Beta.Vaults.Retrieve(vaultId, cancellationToken: ct));
        // The same request is fine in the vault's own workspace.
        var ownAgent = await McpSessions.AgentAsync(owner, script, new Uri("https://mcp.example.com/mcp"), ct);
        var ownEnvironment = await owner.CloudEnvironmentAsync(ct);
        var session = await owner.Beta.Sessions.Create(
            new SessionCreateParams { Agent = ownAgent.ID, EnvironmentID = ownEnvironment.ID, VaultIds = [vaultId] }, ct);
        Assert.Equal([vaultId], session.VaultIds);
    }

    [Fact]
    public async Task Archiving_a_vault_makes_a_later_turn_of_a_session_that_references_it_fail_cleanly()
    {
        var ct = Timeouts.Test(120);
        var token = hangar.Secret("archived-vault-token");
        await using var mcp = await BearerMcpServer.StartAsync(token, ct);
        var client = hangar.Client();
        var vaultId = await McpSessions.VaultAsync(hangar, client, ct);
        await McpSessions.StaticBearerAsync(client, vaultId, mcp.Url, token, ct);
        var script = hangar.Scripts.New().Then(FakeReply.ToolUse(BearerMcpServer.Tool, IssueInput), FakeReply.Text("The vault is gone."));
        var session = await McpSessions.SessionAsync(hangar, client, script, mcp.Url, ct, vaultId);

        var archived = await client.Beta.Vaults.Archive(vaultId, new VaultArchiveParams(), ct);
        Assert.NotNull(archived.ArchivedAt);
        await client.SendAsync(session.ID, ct, Turns.Message("file a bug"));
        var events = await client.WaitForIdleAsync(session.ID, ct);

        Assert.Empty(mcp.Issues);
        Assert.DoesNotContain("Bearer " + token, mcp.AuthorizationHeaders);
        var errors = McpSessions.Errors(events);
        Assert.NotEmpty(errors);
        Assert.All(errors, error =>
        {
            Assert.Equal("mcp_authentication_failed_error", error.GetProperty("type").GetString());
            Assert.Contains("archived", error.GetProperty("message").GetString());
        });
        Assert.True(Assert.Single(Turns.All<BetaManagedAgentsAgentMcpToolResultEvent>(events)).IsError);
        Assert.True(Turns.LastStop(events).TryPickBetaManagedAgentsSessionEndTurn(out _), $"stop reason {Turns.LastStop(events).Json}");
        Assert.Equal(BetaManagedAgentsSessionStatus.Idle, (await client.RetrieveAsync(session.ID, ct)).Status.Value());
        Assert.Contains(await SecretSweep.AuditAsync(hangar, vaultId, ct), entry => entry.GetProperty("outcome").GetString() == "vault_archived");

        await SecretSweep.AssertNoSecretAsync(hangar, ct);
    }
}
