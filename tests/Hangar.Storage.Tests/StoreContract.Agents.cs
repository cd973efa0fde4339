namespace Hangar.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task AgentVersionsAreWrittenWithTheAgentRow()
    {
        var workspace = await NewWorkspaceAsync();
        var agent = Resource(ResourceKind.Agent, workspace);
        var now = DateTimeOffset.UtcNow;
        await Store.Agents.CreateAsync(agent, new AgentVersionRecord(agent.Id, 1, """{"version":1}""", now), Ct);

        Assert.True(await Store.Agents.AddVersionAsync(
            agent with { Json = """{"version":2}""" }, 1, new AgentVersionRecord(agent.Id, 2, """{"version":2}""", now), Ct));
        // A stale revision writes neither the row nor the version.
        Assert.False(await Store.Agents.AddVersionAsync(
            agent with { Json = """{"version":3}""" }, 1, new AgentVersionRecord(agent.Id, 3, """{"version":3}""", now), Ct));
        // An existing version number rolls the row update back.
        Assert.False(await Store.Agents.AddVersionAsync(
            agent with { Json = """{"version":"x"}""" }, 2, new AgentVersionRecord(agent.Id, 2, """{"version":"x"}""", now), Ct));

        var row = await Store.Resources.GetAsync(ResourceKind.Agent, workspace, agent.Id, Ct);
        Assert.Equal(("""{"version":2}""", 2L), (row!.Json, row.Revision));
        Assert.Null(await Store.Agents.GetVersionAsync(workspace, agent.Id, 3, Ct));
        var second = await Store.Agents.GetVersionAsync(workspace, agent.Id, 2, Ct);
        Assert.Equal(new AgentVersionRecord(agent.Id, 2, """{"version":2}""", SqlTruncate(now)), second);
        Assert.Null(await Store.Agents.GetVersionAsync(await NewWorkspaceAsync(), agent.Id, 2, Ct));
    }

    [Fact]
    public async Task ConcurrentVersionWritersAtOneRevisionLetExactlyOneWin()
    {
        var workspace = await NewWorkspaceAsync();
        var agent = Resource(ResourceKind.Agent, workspace);
        await Store.Agents.CreateAsync(agent, new AgentVersionRecord(agent.Id, 1, "{}", DateTimeOffset.UtcNow), Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Store.Agents.AddVersionAsync(
            agent with { Json = $"{{\"w\":{i}}}" }, 1, new AgentVersionRecord(agent.Id, 2, $"{{\"w\":{i}}}", DateTimeOffset.UtcNow), Ct)));

        Assert.Single(results, r => r);
        var row = await Store.Resources.GetAsync(ResourceKind.Agent, workspace, agent.Id, Ct);
        Assert.Equal(row!.Json, (await Store.Agents.GetVersionAsync(workspace, agent.Id, 2, Ct))!.Json);
    }

    [Fact]
    public async Task AgentVersionsListInPages()
    {
        var workspace = await NewWorkspaceAsync();
        var agent = Resource(ResourceKind.Agent, workspace);
        await Store.Agents.CreateAsync(agent, new AgentVersionRecord(agent.Id, 1, "{}", DateTimeOffset.UtcNow), Ct);
        for (var version = 2; version <= 5; version++)
        {
            Assert.True(await Store.Agents.AddVersionAsync(
                agent, version - 1, new AgentVersionRecord(agent.Id, version, "{}", DateTimeOffset.UtcNow), Ct));
        }

        var first = await Store.Agents.ListVersionsAsync(workspace, agent.Id, 3, 0, Ct);
        var rest = await Store.Agents.ListVersionsAsync(workspace, agent.Id, 3, 3, Ct);

        Assert.Equal([1, 2, 3], first.Items.Select(v => v.Version));
        Assert.True(first.HasMore);
        Assert.Equal([4, 5], rest.Items.Select(v => v.Version));
        Assert.False(rest.HasMore);
    }

    private static DateTimeOffset SqlTruncate(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);
}
