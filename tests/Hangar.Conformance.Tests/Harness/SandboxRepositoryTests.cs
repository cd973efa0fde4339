using Anthropic;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using static Hangar.Conformance.Tests.Harness.SandboxedHangar;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>
/// A session's <c>github_repository</c> resource through the API (official SDK, fake model, bubblewrap). The API
/// takes only https://host/owner/repo URLs, so cloning and pushing against a live git server are tested at the
/// provider level (Hangar.Sandbox.Tests Git/); here: a remote the SSRF guard refuses fails the turn with a clear
/// error, and the token is in no response or event, that error included.
/// </summary>
[Collection(SandboxedHangarCollection.Name)]
public sealed class SandboxRepositoryTests(SandboxedHangar hangar)
{
    private const string Token = "ghp_SessionTokenNeverShown_81c3f0";

    [Fact]
    public async Task A_refused_remote_fails_the_turn_clearly_and_the_token_is_never_shown()
    {
        var ct = Timeouts.Test();
        var (sessionId, results) = await hangar.RunToolsAsync(ct,
            (c, script) => SessionWithRepositoryAsync(c, script, "https://127.0.0.1/owner/app", Token, ct),
            Bash("ls /workspace"));

        Assert.True(results[0].IsError);
        Assert.Contains("Cloning the repository https://127.0.0.1/owner/app into /workspace/app failed", Text(results[0]));
        Assert.Contains("Refused to connect to 127.0.0.1", Text(results[0]));

        using var http = hangar.Server.Raw();
        var paths = new[] { $"/v1/sessions/{sessionId}?beta=true", $"/v1/sessions/{sessionId}/events?beta=true&limit=1000", $"/v1/sessions/{sessionId}/resources?beta=true", "/v1/sessions?beta=true&limit=100" };
        foreach (var path in paths)
        {
            var response = await http.GetJsonAsync(path, ct);
            Assert.True(response.Message.IsSuccessStatusCode, path);
            Assert.DoesNotContain(Token, response.Body.GetRawText());
        }
        var events = (await http.GetJsonAsync($"/v1/sessions/{sessionId}/events?beta=true&limit=1000", ct)).Body.GetRawText();
        Assert.Contains("session.error", events);
        Assert.Contains("Refused to connect to 127.0.0.1", events);

        // The API's repository error type, with the URL, parsed by the SDK; "retrying": the next message clones again.
        var log = await hangar.Server.Client().LogAsync(sessionId, ct);
        var error = log.Select(e => e.Json).Single(e => e.GetProperty("type").GetString() == "session.error"
            && e.GetProperty("error").GetProperty("type").GetString() == "repository_clone_error").GetProperty("error");
        Assert.Equal("https://127.0.0.1/owner/app", error.GetProperty("repository_url").GetString());
        Assert.Equal("retrying", error.GetProperty("retry_status").GetProperty("type").GetString());
    }

    private static async Task<string> SessionWithRepositoryAsync(AnthropicClient client, ModelScript script, string url, string? token, CancellationToken ct)
    {
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams { Name = Arrange.Name("agent"), Model = BetaManagedAgentsModel.ClaudeSonnet4_6, System = script.SystemPrompt, Tools = [Turns.Toolset()] },
            ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams
            {
                Agent = agent.ID,
                EnvironmentID = environment.ID,
                Resources =
                [
                    new BetaManagedAgentsGitHubRepositoryResourceParams
                    {
                        Url = url,
                        AuthorizationToken = token,
                        Checkout = new BetaManagedAgentsBranchCheckout { Name = "feature" },
                    },
                ],
            },
            ct);
        session.Validate();
        return session.ID;
    }
}
