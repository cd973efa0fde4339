using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Agents.Versions;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class AgentTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_agent_created_with_a_model_config_reads_back_identically(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var name = Arrange.Name("coder");

        var created = await client.Beta.Agents.Create(
            new AgentCreateParams
            {
                Name = name,
                Model = new BetaManagedAgentsModelConfigParams { ID = BetaManagedAgentsModel.ClaudeOpus4_6, Effort = BetaManagedAgentsEffortLevel.High },
                System = "You are terse.",
                Metadata = new Dictionary<string, string> { ["team"] = "infra" },
            },
            ct);
        created.Validate();
        var fetched = await client.Beta.Agents.Retrieve(created.ID, cancellationToken: ct);
        fetched.Validate();

        Assert.StartsWith("agent_", created.ID);
        Assert.Equal("agent", created.Type.GetString());
        Assert.Equal(1, created.Version);
        Assert.Equal(name, fetched.Name);
        Assert.Equal("You are terse.", fetched.System);
        Assert.Null(fetched.Description);
        Assert.Null(fetched.ArchivedAt);
        Assert.Equal("infra", fetched.Metadata["team"]);
        Assert.Equal("claude-opus-4-6", fetched.Model.ID.Raw());
        Assert.True(fetched.Model.Effort!.TryPickBetaManagedAgentsEffortHigh(out _), "effort should read back as {\"type\":\"high\"}");
        Assert.Empty(fetched.Tools);
        Assert.Equal(created.CreatedAt, fetched.CreatedAt);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_agent_model_sent_as_a_bare_string_comes_back_as_an_object(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();

        var agent = await client.AgentAsync(ct);

        // The SDK types `model` in responses as an object; a bare string would throw here.
        Assert.Equal("claude-sonnet-4-6", agent.Model.ID.Raw());
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Listing_agents_auto_pages_through_more_items_than_the_page_limit(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var created = new List<BetaManagedAgentsAgent>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await client.AgentAsync(ct));
        }
        var since = created[0].CreatedAt;

        var firstPage = await client.Beta.Agents.List(new AgentListParams { Limit = 3, CreatedAtGte = since }, ct);
        firstPage.Validate();
        var all = await firstPage.Paginate(ct).ToListAsync(ct);

        Assert.Equal(3, firstPage.Items.Count);
        Assert.True(firstPage.HasNext());
        Assert.Equal(all.Count, all.Select(a => a.ID).Distinct().Count());
        Assert.All(all, a => Assert.True(a.CreatedAt >= since, $"{a.ID} is older than created_at[gte]"));
        Assert.Subset(all.Select(a => a.ID).ToHashSet(), created.Select(a => a.ID).ToHashSet());
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Updating_with_the_current_version_creates_a_new_version_and_keeps_the_old_one_readable(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var v1 = await client.AgentAsync(ct, system: "first");

        var v2 = await client.Beta.Agents.Update(v1.ID, new AgentUpdateParams { Version = 1, System = "second" }, ct);
        v2.Validate();
        var versions = await (await client.Beta.Agents.Versions.List(v1.ID, new VersionListParams { Limit = 1 }, ct))
            .Paginate(ct).ToListAsync(ct);
        var old = await client.Beta.Agents.Retrieve(v1.ID, new AgentRetrieveParams { Version = 1 }, ct);
        old.Validate();
        var latest = await client.Beta.Agents.Retrieve(v1.ID, cancellationToken: ct);

        Assert.Equal(2, v2.Version);
        Assert.Equal("second", v2.System);
        Assert.Equal(v1.Name, v2.Name);
        Assert.Equal([1, 2], versions.Select(v => v.Version).Order());
        Assert.All(versions, v => v.Validate());
        Assert.Equal(1, old.Version);
        Assert.Equal("first", old.System);
        Assert.Equal(2, latest.Version);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_update_that_changes_nothing_does_not_create_a_version(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct);

        var same = await client.Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, Name = agent.Name }, ct);

        Assert.Equal(1, same.Version);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Updating_with_a_stale_version_fails_with_a_409_the_SDK_does_not_retry(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var agent = await hangar.Client().AgentAsync(ct);
        await hangar.Client().Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, System = "v2" }, ct);
        var attempts = new RequestCounter();

        var conflict = await Assert.ThrowsAsync<AnthropicConflictException>(() =>
            hangar.Client(attempts).Beta.Agents.Update(agent.ID, new AgentUpdateParams { Version = 1, System = "lost" }, ct));

        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(1, attempts.Count); // x-should-retry: false stops the SDK's default 2 retries
        Assert.StartsWith("req_", conflict.RequestID);
        var unchanged = await hangar.Client().Beta.Agents.Retrieve(agent.ID, cancellationToken: ct);
        Assert.Equal(2, unchanged.Version);
        Assert.Equal("v2", unchanged.System);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_archived_agent_has_archived_at_and_leaves_the_default_list(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var agent = await client.AgentAsync(ct);

        var archived = await client.Beta.Agents.Archive(agent.ID, cancellationToken: ct);
        archived.Validate();
        var visible = await (await client.Beta.Agents.List(new AgentListParams { CreatedAtGte = agent.CreatedAt }, ct)).Paginate(ct).ToListAsync(ct);
        var everything = await (await client.Beta.Agents.List(new AgentListParams { CreatedAtGte = agent.CreatedAt, IncludeArchived = true }, ct)).Paginate(ct).ToListAsync(ct);

        Assert.NotNull(archived.ArchivedAt);
        Assert.DoesNotContain(visible, a => a.ID == agent.ID);
        Assert.Contains(everything, a => a.ID == agent.ID && a.ArchivedAt is not null);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_unknown_agent_id_is_a_typed_404(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();

        var missing = await Assert.ThrowsAsync<AnthropicNotFoundException>(() =>
            client.Beta.Agents.Retrieve("agent_011CZkYpogX7uDKUyvBTophP", cancellationToken: ct));

        Assert.StartsWith("req_", missing.RequestID);
    }
}
