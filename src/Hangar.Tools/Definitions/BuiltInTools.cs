using System.Text.Json.Nodes;

namespace Hangar.Tools;

/// <summary>
/// The built-in toolset (<c>agent_toolset_20260401</c>) as the model sees it: Anthropic tool
/// definitions <c>{name, description, input_schema}</c> with the api.md §5 input shapes. Built the
/// same way every time (fixed order and text) because they go into every model request and any
/// change would defeat prompt caching.
/// </summary>
public static class BuiltInTools
{
    /// <summary>The tools a sandbox executes, in definition order.</summary>
    public static readonly IReadOnlyList<string> Names = ["bash", "read", "write", "edit", "glob", "grep"];

    /// <summary>The tools the harness runs on the host (server tools in the hosted service), after the sandbox's.</summary>
    public static readonly IReadOnlyList<string> HostNames = ["web_fetch", "web_search"];

    /// <summary>Fresh definitions of every built-in tool (a JsonNode can have only one parent, so each caller gets its own).</summary>
    public static IReadOnlyList<JsonObject> Definitions() => Names.Concat(HostNames).Select(Definition).ToList();

    /// <summary>The definition of one built-in tool; throws for an unknown name.</summary>
    public static JsonObject Definition(string name) => name switch
    {
        "bash" => Tool("bash",
            "Run a command in a persistent bash shell in the workspace (/workspace). The working directory, " +
            "environment variables and background jobs persist between calls. stdin is /dev/null; stdout and " +
            "stderr are combined; output over 100 KiB keeps only its end. Commands time out after 120 s unless " +
            "timeout_ms is given (at most 600000); a timeout kills the shell. Pass restart: true to start a fresh shell.",
            Properties(
                ("command", Prop("string", "The bash command to run. Required unless restart is true.")),
                ("restart", Prop("boolean", "Kill the current shell and start a fresh one (then run command, if given).")),
                ("timeout_ms", Prop("integer", "Timeout in milliseconds (default 120000, maximum 600000)."))),
            []),
        "read" => Tool("read",
            "Read a UTF-8 text file in the workspace. Paths are absolute (/workspace/...) or relative to /workspace. " +
            "Files over 256 KiB are refused; use bash with head, tail or sed for those.",
            Properties(
                ("file_path", Prop("string", "Path of the file to read.")),
                ("view_range", new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["type"] = "integer" },
                    ["minItems"] = 2,
                    ["maxItems"] = 2,
                    ["description"] = "Optional [start, end] line range, 1-based and inclusive; end <= 0 reads to the end of the file.",
                })),
            ["file_path"]),
        "write" => Tool("write",
            "Write a file in the workspace, replacing it if it exists and creating missing parent directories.",
            Properties(
                ("file_path", Prop("string", "Path of the file to write.")),
                ("content", Prop("string", "The complete new content of the file."))),
            ["file_path", "content"]),
        "edit" => Tool("edit",
            "Replace exact text in a file in the workspace. old_string must match exactly (including whitespace) " +
            "and be unique in the file unless replace_all is true.",
            Properties(
                ("file_path", Prop("string", "Path of the file to edit.")),
                ("old_string", Prop("string", "The exact text to replace.")),
                ("new_string", Prop("string", "The replacement text.")),
                ("replace_all", Prop("boolean", "Replace every occurrence instead of requiring exactly one."))),
            ["file_path", "old_string", "new_string"]),
        "glob" => Tool("glob",
            "Find files in the workspace whose path matches a glob pattern (*, ?, **, [abc], {a,b}), " +
            "newest first, at most 200.",
            Properties(
                ("pattern", Prop("string", "Glob pattern relative to path, e.g. **/*.py.")),
                ("path", Prop("string", "Directory to search in (default /workspace)."))),
            ["pattern"]),
        "grep" => Tool("grep",
            "Search file contents in the workspace with a regular expression. Prints path:line:text for each " +
            "matching line; output is capped at 100 KiB.",
            Properties(
                ("pattern", Prop("string", "Regular expression to search for.")),
                ("path", Prop("string", "File or directory to search in (default /workspace)."))),
            ["pattern"]),
        "web_fetch" => Tool("web_fetch",
            "Fetch a web page or text document by URL (http or https, GET) and return its readable text: HTML is " +
            "converted to plain text without scripts and styles. Runs on the Hangar server, not in the workspace; " +
            "private and loopback addresses are refused, and the agent's domain settings apply.",
            Properties(("url", Prop("string", "The absolute http(s) URL to fetch."))),
            ["url"]),
        "web_search" => Tool("web_search",
            "Search the web and return result titles, URLs and snippets.",
            Properties(("query", Prop("string", "The search query."))),
            ["query"]),
        _ => throw new ArgumentException($"'{name}' is not a built-in tool", nameof(name)),
    };

    private static JsonObject Tool(string name, string description, JsonObject properties, string[] required)
    {
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Length > 0)
            schema["required"] = new JsonArray(required.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        schema["additionalProperties"] = false;
        return new JsonObject { ["name"] = name, ["description"] = description, ["input_schema"] = schema };
    }

    private static JsonObject Properties(params (string Name, JsonObject Schema)[] properties)
    {
        var result = new JsonObject();
        foreach (var (name, schema) in properties)
            result[name] = schema;
        return result;
    }

    private static JsonObject Prop(string type, string description) =>
        new() { ["type"] = type, ["description"] = description };
}
