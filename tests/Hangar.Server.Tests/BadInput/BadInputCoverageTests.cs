namespace Hangar.Server.Tests.BadInput;

/// <summary>The suite's acceptance (issue #16): at least 150 hostile requests, and every route family in it.</summary>
public sealed class BadInputCoverageTests
{
    private static readonly Dictionary<string, TheoryData<BadInputCase>> Families = new()
    {
        ["agents, environments, files"] = ResourceBadInputTests.Cases(),
        ["file uploads"] = FileBadInputTests.Cases(),
        ["sessions"] = SessionBadInputTests.Cases(),
        ["session events"] = EventBadInputTests.Cases(),
        ["session resources"] = SessionResourceBadInputTests.Cases(),
        ["vaults and credentials"] = VaultBadInputTests.Cases(),
        ["work"] = WorkBadInputTests.Cases(),
        ["headers and paths"] = HeaderBadInputTests.Cases(),
    };

    private static IEnumerable<BadInputCase> Rows(TheoryData<BadInputCase> data) =>
        ((IEnumerable<object[]>)data).Select(r => (BadInputCase)r[0]);

    [Fact]
    public void The_tables_hold_at_least_150_requests_with_unique_names()
    {
        var rows = Families.Values.SelectMany(Rows).ToList();
        Assert.True(rows.Count >= 150, $"only {rows.Count} rows");
        foreach (var (family, cases) in Families)
        {
            var names = Rows(cases).Select(r => r.Name).ToList();
            Assert.True(names.Count == names.Distinct().Count(), $"{family}: duplicate row names");
        }
    }

    [Theory]
    [InlineData("/v1/agents"), InlineData("/v1/environments"), InlineData("/v1/files"), InlineData("/v1/sessions")]
    [InlineData("/events"), InlineData("/events/stream"), InlineData("/resources"), InlineData("/v1/vaults")]
    [InlineData("/credentials"), InlineData("/mcp_oauth_validate"), InlineData("/work/poll"), InlineData("/ack")]
    [InlineData("/heartbeat"), InlineData("/stop"), InlineData("/work/stats"), InlineData("/audit")]
    public void Every_route_family_has_rows(string pathPart) =>
        Assert.Contains(Families.Values.SelectMany(Rows), r => r.Path.Contains(pathPart, StringComparison.Ordinal));
}
