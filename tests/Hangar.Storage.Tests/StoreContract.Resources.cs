namespace Hangar.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task InsertedResourceReadsBackExactly()
    {
        var workspace = await NewWorkspaceAsync();
        // Sub-microsecond ticks are dropped the same way on both engines.
        var created = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        var session = SessionRecord(workspace, "agent_a", 3, "running") with
        {
            CreatedAt = created,
            ArchivedAt = created.AddSeconds(1),
            UniqueName = "n",
        };
        await Store.Resources.InsertAsync(session, Ct);

        var stored = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session.Id, Ct);

        Assert.Equal(session with { CreatedAt = created.AddTicks(-7), ArchivedAt = created.AddTicks(-7).AddSeconds(1) }, stored);
        Assert.Equal(TimeSpan.Zero, stored!.CreatedAt.Offset);
        Assert.Null(await Store.Resources.GetAsync(ResourceKind.Agent, workspace, session.Id, Ct));
    }

    [Fact]
    public async Task FindReadsARowByIdInWhicheverWorkspaceHoldsIt()
    {
        var workspace = await NewWorkspaceAsync();
        var session = SessionRecord(workspace, "agent_a", 1, "idle");
        await Store.Resources.InsertAsync(session, Ct);

        Assert.Equal(workspace, (await Store.Resources.FindAsync(ResourceKind.Session, session.Id, Ct))?.WorkspaceId);
        Assert.Null(await Store.Resources.FindAsync(ResourceKind.Agent, session.Id, Ct));
        Assert.True(await Store.Resources.DeleteAsync(ResourceKind.Session, workspace, session.Id, Ct));
        Assert.Null(await Store.Resources.FindAsync(ResourceKind.Session, session.Id, Ct));
    }

    [Fact]
    public async Task ReplaceSucceedsOnlyAtTheExpectedRevision()
    {
        var workspace = await NewWorkspaceAsync();
        var agent = Resource(ResourceKind.Environment, workspace);
        await Store.Resources.InsertAsync(agent, Ct);

        Assert.True(await Store.Resources.ReplaceAsync(agent with { Json = """{"v":2}""", Revision = 99 }, 1, Ct));
        Assert.False(await Store.Resources.ReplaceAsync(agent with { Json = """{"v":3}""" }, 1, Ct));
        Assert.False(await Store.Resources.ReplaceAsync(Resource(ResourceKind.Environment, workspace), 1, Ct));

        var stored = await Store.Resources.GetAsync(ResourceKind.Environment, workspace, agent.Id, Ct);
        Assert.Equal(("""{"v":2}""", 2L), (stored!.Json, stored.Revision));
    }

    [Fact]
    public async Task UniqueNamesAreUniquePerWorkspaceAndKindEvenWhenArchived()
    {
        var workspace = await NewWorkspaceAsync();
        var other = await NewWorkspaceAsync();
        await Store.Resources.InsertAsync(Resource(ResourceKind.Environment, workspace, "prod") with { ArchivedAt = DateTimeOffset.UtcNow }, Ct);

        var duplicate = await Assert.ThrowsAsync<DuplicateNameException>(
            () => Store.Resources.InsertAsync(Resource(ResourceKind.Environment, workspace, "prod"), Ct));
        Assert.Equal("prod", duplicate.Name);
        await Store.Resources.InsertAsync(Resource(ResourceKind.Environment, other, "prod"), Ct);
        await Store.Resources.InsertAsync(Resource(ResourceKind.Agent, workspace, "prod"), Ct);

        var staging = Resource(ResourceKind.Environment, workspace, "staging");
        await Store.Resources.InsertAsync(staging, Ct);
        await Assert.ThrowsAsync<DuplicateNameException>(
            () => Store.Resources.ReplaceAsync(staging with { UniqueName = "prod" }, 1, Ct));
        Assert.Equal("staging", (await Store.Resources.GetAsync(ResourceKind.Environment, workspace, staging.Id, Ct))!.UniqueName);
    }

    [Fact]
    public async Task WorkspacesCannotSeeEachOthersResources()
    {
        var mine = await NewWorkspaceAsync();
        var theirs = await NewWorkspaceAsync();
        var environment = Resource(ResourceKind.Environment, mine);
        await Store.Resources.InsertAsync(environment, Ct);

        Assert.Null(await Store.Resources.GetAsync(ResourceKind.Environment, theirs, environment.Id, Ct));
        Assert.Empty((await Store.Resources.ListAsync(ResourceKind.Environment, theirs, new ResourceQuery(10), Ct)).Items);
        Assert.False(await Store.Resources.ReplaceAsync(environment with { WorkspaceId = theirs }, 1, Ct));
        Assert.False(await Store.Resources.DeleteAsync(ResourceKind.Environment, theirs, environment.Id, Ct));
        Assert.True(await Store.Resources.DeleteAsync(ResourceKind.Environment, mine, environment.Id, Ct));
        Assert.Null(await Store.Resources.GetAsync(ResourceKind.Environment, mine, environment.Id, Ct));
    }

    [Fact]
    public async Task ListPagesByIdInBothDirections()
    {
        var workspace = await NewWorkspaceAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var record = Resource(ResourceKind.Agent, workspace);
            await Store.Resources.InsertAsync(record, Ct);
            ids.Add(record.Id);
        }

        Assert.Equal(ids, await CollectAsync(descending: false));
        Assert.Equal(ids.AsEnumerable().Reverse(), await CollectAsync(descending: true));

        async Task<List<string>> CollectAsync(bool descending)
        {
            var seen = new List<string>();
            string? after = null;
            while (true)
            {
                var page = await Store.Resources.ListAsync(ResourceKind.Agent, workspace, new ResourceQuery(2, after, descending), Ct);
                seen.AddRange(page.Items.Select(r => r.Id));
                Assert.Equal(seen.Count < 5, page.HasMore);
                if (!page.HasMore)
                {
                    return seen;
                }
                after = page.Items[^1].Id;
            }
        }
    }

    [Fact]
    public async Task ListFiltersByEveryQueryField()
    {
        var workspace = await NewWorkspaceAsync();
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var a = SessionRecord(workspace, "agent_a", 1, "idle") with { CreatedAt = t0 };
        var b = SessionRecord(workspace, "agent_a", 2, "running") with { CreatedAt = t0.AddMinutes(1) };
        var c = SessionRecord(workspace, "agent_b", 1, "terminated") with { CreatedAt = t0.AddMinutes(2), ArchivedAt = t0.AddMinutes(3) };
        foreach (var session in new[] { a, b, c })
        {
            await Store.Resources.InsertAsync(session, Ct);
        }

        Assert.Equal([a.Id, b.Id], await Ids(new ResourceQuery(10)));
        Assert.Equal([a.Id, b.Id, c.Id], await Ids(new ResourceQuery(10, IncludeArchived: true)));
        Assert.Equal([b.Id], await Ids(new ResourceQuery(10) { CreatedGt = t0, CreatedLt = t0.AddMinutes(2) }));
        Assert.Equal([a.Id, b.Id], await Ids(new ResourceQuery(10, IncludeArchived: true) { CreatedGte = t0, CreatedLte = t0.AddMinutes(1) }));
        Assert.Equal([a.Id, b.Id], await Ids(new ResourceQuery(10) { AgentId = "agent_a" }));
        Assert.Equal([b.Id], await Ids(new ResourceQuery(10) { AgentId = "agent_a", AgentVersion = 2 }));
        Assert.Equal([a.Id, c.Id], await Ids(new ResourceQuery(10, IncludeArchived: true) { Statuses = ["idle", "terminated"] }));
        Assert.Equal([c.Id], await Ids(new ResourceQuery(10, IncludeArchived: true) { Ids = [c.Id, "sesn_missing"] }));
        Assert.Empty(await Ids(new ResourceQuery(10) { Ids = [] }));

        // Sessions are found by the environment_id of their JSON, kept in step on replace.
        Assert.True(await Store.Resources.ReplaceAsync(a with { Json = """{"environment_id":"env_1"}""" }, a.Revision, Ct));
        Assert.True(await Store.Resources.ReplaceAsync(c with { Json = """{"environment_id":"env_1"}""" }, c.Revision, Ct));
        Assert.Equal([a.Id], await Ids(new ResourceQuery(10) { EnvironmentId = "env_1" }));
        Assert.Equal([a.Id, c.Id], await Ids(new ResourceQuery(10, IncludeArchived: true) { EnvironmentId = "env_1" }));
        Assert.Empty(await Ids(new ResourceQuery(10) { EnvironmentId = "env_2" }));

        var scoped = FileRecord(workspace, a.Id);
        var unscoped = FileRecord(workspace, null);
        await Store.Resources.InsertAsync(scoped, Ct);
        await Store.Resources.InsertAsync(unscoped, Ct);
        var files = await Store.Resources.ListAsync(ResourceKind.File, workspace, new ResourceQuery(10) { ScopeId = a.Id }, Ct);
        Assert.Equal([scoped.Id], files.Items.Select(f => f.Id));

        async Task<List<string>> Ids(ResourceQuery query) =>
            [.. (await Store.Resources.ListAsync(ResourceKind.Session, workspace, query, Ct)).Items.Select(r => r.Id)];
    }

    [Fact]
    public async Task WorkspacesAndKeysResolve()
    {
        var names = Enumerable.Range(0, 8).Select(_ => "team");
        var ids = await Task.WhenAll(names.Select(n => Store.Workspaces.EnsureAsync(n, Ct)));
        Assert.Single(ids.Distinct());
        Assert.StartsWith("wrkspc_", ids[0], StringComparison.Ordinal);
        Assert.NotEqual(ids[0], await Store.Workspaces.EnsureAsync("other", Ct));

        var key = ApiKeys.Generate();
        await Store.Workspaces.AddKeyAsync(ids[0], ApiKeys.Hash(key), Ct);
        Assert.Equal(ids[0], await Store.Workspaces.FindWorkspaceByKeyHashAsync(ApiKeys.Hash(key), Ct));
        Assert.Null(await Store.Workspaces.FindWorkspaceByKeyHashAsync(ApiKeys.Hash(ApiKeys.Generate()), Ct));
    }

    [Fact]
    public async Task FileContentsAreKeptPerWorkspace()
    {
        var workspace = await NewWorkspaceAsync();
        var file = FileRecord(workspace, null);
        await Store.Resources.InsertAsync(file, Ct);
        await Store.FileContents.PutAsync(new FileContent(workspace, file.Id, [1, 2, 3]), Ct);

        Assert.Equal([1, 2, 3], await Store.FileContents.GetAsync(workspace, file.Id, Ct));
        Assert.Null(await Store.FileContents.GetAsync(await NewWorkspaceAsync(), file.Id, Ct));
        Assert.True(await Store.Resources.DeleteAsync(ResourceKind.File, workspace, file.Id, Ct));
        Assert.Null(await Store.FileContents.GetAsync(workspace, file.Id, Ct));
    }
}
