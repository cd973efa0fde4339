using Hangar.Harness.Mcp;

namespace Hangar.Harness.Tests.Mcp;

/// <summary>Model-facing MCP tool names stay within the Messages API's rule and stay stable.</summary>
public sealed class McpToolNamesTests
{
    [Fact]
    public void A_plain_name_is_prefixed_with_the_server()
    {
        Assert.Equal("mcp__github__create_issue", McpToolNames.For("github", "create_issue", new HashSet<string>()));
    }

    [Theory]
    [InlineData("my.server", "repo/list files")]
    [InlineData("s", "ünïcode·tool")]
    public void Characters_outside_the_rule_become_underscores(string server, string tool)
    {
        var name = McpToolNames.For(server, tool, new HashSet<string>());
        Assert.Matches("^[a-zA-Z0-9_-]{1,128}$", name);
        Assert.StartsWith("mcp__", name);
    }

    [Fact]
    public void Long_and_colliding_names_get_a_stable_hash_and_stay_distinct()
    {
        var taken = new HashSet<string>();
        var first = McpToolNames.For("s", "a.b", taken);
        var second = McpToolNames.For("s", "a/b", taken);
        var longName = McpToolNames.For("server", new string('x', 300), taken);

        Assert.Equal("mcp__s__a_b", first);
        Assert.NotEqual(first, second);
        Assert.Matches("^[a-zA-Z0-9_-]{1,128}$", second);
        Assert.Equal(128, longName.Length);
        Assert.Equal(longName, McpToolNames.For("server", new string('x', 300), new HashSet<string>()));
    }
}
