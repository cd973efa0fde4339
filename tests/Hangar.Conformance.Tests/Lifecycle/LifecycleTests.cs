using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Environments;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Harness;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests.Lifecycle;

/// <summary>
/// Lifecycle edges a client of the hosted service relies on: archive ends a session with a final
/// <c>session.status_terminated</c>, environments take <c>scope: account</c>, and agents take the
/// SDK's 256 tools (and name <c>tools</c> when given one more).
/// </summary>
[Collection(HangarCollection.Name)]
public sealed class LifecycleTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Archiving_a_session_ends_it_with_a_final_status_terminated_and_refuses_new_events(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);

        var archived = await client.Beta.Sessions.Archive(session.ID, cancellationToken: ct);
        await client.Beta.Sessions.Archive(session.ID, cancellationToken: ct); // again: no second event
        var log = await client.LogAsync(session.ID, ct);
        var send = () => client.Beta.Sessions.Events.Send(
            session.ID, new EventSendParams { Events = [Turns.Message("still there?")] }, ct);

        Assert.Equal("terminated", archived.Status.Raw());
        Assert.Equal(["session.status_terminated"], Turns.Types(log));
        await Assert.ThrowsAsync<AnthropicConflictException>(send);
        Assert.Equal(["session.status_terminated"], Turns.Types(await client.LogAsync(session.ID, ct)));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_account_scoped_environment_reads_back_and_lists_as_account(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();

        var created = await client.Beta.Environments.Create(
            new EnvironmentCreateParams { Name = Arrange.Name("mine"), Config = new BetaCloudConfigParams(), Scope = Scope.Account },
            ct);
        created.Validate();
        var fetched = await client.Beta.Environments.Retrieve(created.ID, cancellationToken: ct);
        var listed = (await (await client.Beta.Environments.List(new EnvironmentListParams { Limit = 100 }, ct)).Paginate(ct).ToListAsync(ct)).Single(e => e.ID == created.ID);
        var widened = await client.Beta.Environments.Update(
            created.ID, new EnvironmentUpdateParams { Scope = EnvironmentUpdateParamsScope.Organization }, ct);

        Assert.Equal("account", created.Scope!.Raw());
        Assert.Equal("account", fetched.Scope!.Raw());
        Assert.Equal("account", listed.Scope!.Raw());
        Assert.Equal("organization", widened.Scope!.Raw());
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_agent_takes_256_tools_and_257_is_refused_naming_tools(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        static Tool[] Tools(int count) => [.. Enumerable.Range(0, count).Select(i => (Tool)new BetaManagedAgentsCustomToolParams
        {
            Name = $"tool_{i}",
            Description = "A tool.",
            InputSchema = new BetaManagedAgentsCustomToolInputSchema(),
        })];

        var full = await client.Beta.Agents.Create(
            new AgentCreateParams { Name = Arrange.Name("many"), Model = BetaManagedAgentsModel.ClaudeSonnet4_6, Tools = Tools(256) }, ct);
        var tooMany = await Assert.ThrowsAsync<AnthropicBadRequestException>(() => client.Beta.Agents.Create(
            new AgentCreateParams { Name = Arrange.Name("many"), Model = BetaManagedAgentsModel.ClaudeSonnet4_6, Tools = Tools(257) }, ct));

        full.Validate();
        Assert.Equal(256, full.Tools.Count);
        Assert.Contains("tools", tooMany.Message);
        Assert.Contains("256", tooMany.Message);
    }
}
