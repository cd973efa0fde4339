using Anthropic;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Environments;
using Anthropic.Models.Beta.Sessions;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>The setup steps many tests share, done through the SDK like a user would.</summary>
public static class Arrange
{
    /// <summary>Unique per call: environment names are unique per workspace and servers are shared.</summary>
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<BetaManagedAgentsAgent> AgentAsync(this AnthropicClient client, CancellationToken ct, string? system = null)
    {
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams { Name = Name("agent"), Model = BetaManagedAgentsModel.ClaudeSonnet4_6, System = system },
            ct);
        agent.Validate();
        return agent;
    }

    public static async Task<BetaEnvironment> CloudEnvironmentAsync(this AnthropicClient client, CancellationToken ct)
    {
        var environment = await client.Beta.Environments.Create(
            new EnvironmentCreateParams { Name = Name("env"), Config = new BetaCloudConfigParams() },
            ct);
        environment.Validate();
        return environment;
    }

    public static async Task<BetaManagedAgentsSession> SessionAsync(
        this AnthropicClient client, string agentId, string environmentId, CancellationToken ct, string? title = null)
    {
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams { Agent = agentId, EnvironmentID = environmentId, Title = title },
            ct);
        session.Validate();
        return session;
    }

    /// <summary>A fresh agent, environment and session: the starting point of every event test.</summary>
    public static async Task<BetaManagedAgentsSession> FreshSessionAsync(this AnthropicClient client, CancellationToken ct)
    {
        var agent = await client.AgentAsync(ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        return await client.SessionAsync(agent.ID, environment.ID, ct);
    }
}
