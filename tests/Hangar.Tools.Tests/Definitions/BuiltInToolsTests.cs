namespace Hangar.Tools.Tests.Definitions;

public sealed class BuiltInToolsTests
{
    [Fact]
    public void Definitions_are_the_eight_tools_with_the_api_input_shapes_and_are_deterministic()
    {
        var definitions = BuiltInTools.Definitions();
        Assert.Equal(["bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"], definitions.Select(d => (string)d["name"]!));
        var properties = definitions.ToDictionary(
            d => (string)d["name"]!,
            d => string.Join(",", d["input_schema"]!["properties"]!.AsObject().Select(p => p.Key)));
        Assert.Equal("command,restart,timeout_ms", properties["bash"]);
        Assert.Equal("file_path,view_range", properties["read"]);
        Assert.Equal("file_path,content", properties["write"]);
        Assert.Equal("file_path,old_string,new_string,replace_all", properties["edit"]);
        Assert.Equal("pattern,path", properties["glob"]);
        Assert.Equal("pattern,path", properties["grep"]);
        Assert.Equal("url", properties["web_fetch"]);
        Assert.Equal("query", properties["web_search"]);
        Assert.All(definitions, d => Assert.Equal("object", (string)d["input_schema"]!["type"]!));
        Assert.All(definitions, d => Assert.False(string.IsNullOrEmpty((string?)d["description"])));

        Assert.Equal(
            string.Join("\n", definitions.Select(d => d.ToJsonString())),
            string.Join("\n", BuiltInTools.Definitions().Select(d => d.ToJsonString())));
    }
}
