using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class SessionTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_new_session_has_every_field_a_client_reads(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct, system: "hello");
        var environment = await client.CloudEnvironmentAsync(ct);

        var session = await client.SessionAsync(agent.ID, environment.ID, ct);
        var fetched = await client.Beta.Sessions.Retrieve(session.ID, cancellationToken: ct);
        fetched.Validate();

        Assert.StartsWith("sesn_", session.ID);
        Assert.Equal("session", fetched.Type.GetString());
        Assert.Equal(BetaManagedAgentsSessionStatus.Idle, fetched.Status.Value());
        Assert.Equal(environment.ID, fetched.EnvironmentID);
        Assert.Equal(agent.ID, fetched.Agent.ID);
        Assert.Equal("hello", fetched.Agent.System);
        Assert.Equal("claude-sonnet-4-6", fetched.Agent.Model.ID.Raw());
        Assert.Null(fetched.Title);
        Assert.Null(fetched.Budget);
        Assert.Null(fetched.ArchivedAt);
        Assert.Empty(fetched.Resources);
        Assert.Empty(fetched.VaultIds);
        Assert.Empty(fetched.Metadata);
        Assert.Empty(fetched.OutcomeEvaluations);
        Assert.NotNull(fetched.Usage);
        Assert.NotNull(fetched.Stats);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_session_created_with_a_bare_agent_id_stays_on_the_version_that_was_latest_at_creation(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct, system: "v1");
        await client.Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, System = "v2" }, ct);
        var environment = await client.CloudEnvironmentAsync(ct);

        var session = await client.SessionAsync(agent.ID, environment.ID, ct);
        await client.Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 2, System = "v3" }, ct);
        var later = await client.Beta.Sessions.Retrieve(session.ID, cancellationToken: ct);

        Assert.Equal(2, session.Agent.Version);
        Assert.Equal(2, later.Agent.Version);
        Assert.Equal("v2", later.Agent.System);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_session_can_be_pinned_to_an_older_agent_version(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct, system: "v1");
        await client.Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, System = "v2" }, ct);
        var environment = await client.CloudEnvironmentAsync(ct);

        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams
            {
                Agent = new BetaManagedAgentsAgentParams { ID = agent.ID, Version = 1 },
                EnvironmentID = environment.ID,
            },
            ct);
        session.Validate();

        Assert.Equal(1, session.Agent.Version);
        Assert.Equal("v1", session.Agent.System);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Listing_sessions_by_agent_pages_newest_first(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await client.SessionAsync(agent.ID, environment.ID, ct)).ID);
        }

        var firstPage = await client.Beta.Sessions.List(new SessionListParams { AgentID = agent.ID, Limit = 2 }, ct);
        firstPage.Validate();
        var all = await firstPage.Paginate(ct).ToListAsync(ct);

        Assert.Equal(2, firstPage.Items.Count);
        Assert.NotNull(firstPage.NextPage);
        Assert.Equal(created.AsEnumerable().Reverse(), all.Select(s => s.ID));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Listing_sessions_filters_by_agent_version_and_status(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var onV1 = await client.SessionAsync(agent.ID, environment.ID, ct);
        await client.Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, System = "v2" }, ct);
        var onV2 = await client.SessionAsync(agent.ID, environment.ID, ct);

        var v2Only = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = agent.ID, AgentVersion = 2 }, ct)).Paginate(ct).ToListAsync(ct);
        var idle = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = agent.ID, Statuses = [Status.Idle] }, ct)).Paginate(ct).ToListAsync(ct);
        var busy = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = agent.ID, Statuses = [Status.Running, Status.Rescheduling] }, ct)).Paginate(ct).ToListAsync(ct);
        var oldestFirst = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = agent.ID, Order = Order.Asc }, ct)).Paginate(ct).ToListAsync(ct);

        Assert.Equal([onV2.ID], v2Only.Select(s => s.ID));
        Assert.Equal([onV1.ID, onV2.ID], idle.Select(s => s.ID).Order());
        Assert.Empty(busy);
        Assert.Equal([onV1.ID, onV2.ID], oldestFirst.Select(s => s.ID));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Updating_a_session_sets_its_title_and_patches_metadata(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct);
        var environment = await client.CloudEnvironmentAsync(ct);
        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams
            {
                Agent = agent.ID,
                EnvironmentID = environment.ID,
                Metadata = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" },
            },
            ct);

        var updated = await client.Beta.Sessions.Update(
            session.ID,
            new SessionUpdateParams { Title = "Order #1234", Metadata = new Dictionary<string, string?> { ["drop"] = null, ["add"] = "3" } },
            ct);
        updated.Validate();
        var fetched = await client.Beta.Sessions.Retrieve(session.ID, cancellationToken: ct);

        Assert.Equal("Order #1234", fetched.Title);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["add"] = "3" }, fetched.Metadata);
        Assert.True(fetched.UpdatedAt >= session.UpdatedAt);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_archived_session_has_archived_at_and_leaves_the_default_list(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);

        var archived = await client.Beta.Sessions.Archive(session.ID, cancellationToken: ct);
        archived.Validate();
        var visible = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = session.Agent.ID }, ct)).Paginate(ct).ToListAsync(ct);
        var everything = await (await client.Beta.Sessions.List(new SessionListParams { AgentID = session.Agent.ID, IncludeArchived = true }, ct)).Paginate(ct).ToListAsync(ct);

        Assert.NotNull(archived.ArchivedAt);
        Assert.Empty(visible);
        Assert.Equal([session.ID], everything.Select(s => s.ID));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_deleted_session_is_gone(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);

        var deleted = await client.Beta.Sessions.Delete(session.ID, cancellationToken: ct);
        deleted.Validate();

        Assert.Equal(session.ID, deleted.ID);
        Assert.Equal("session_deleted", deleted.Type.GetString());
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Beta.Sessions.Retrieve(session.ID, cancellationToken: ct));
    }
}
