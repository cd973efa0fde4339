using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hangar.Harness.Models.Scripted;

/// <summary>
/// The built-in scripted model (model ids starting with <c>scripted</c>): no network, no
/// intelligence, deterministic from the conversation. For demos and tests it plays a short,
/// plausible tool-using turn with the built-in tools: write a file, read it back, list its
/// folder with bash, then summarise what the tools returned and end the turn. It never loops:
/// once the plan is done (or a tool is missing, or a step failed) it ends with <c>end_turn</c>.
/// </summary>
/// <param name="wordDelay">Pause between streamed words so streaming is visible; null for 15 ms.</param>
public sealed partial class ScriptedModelClient(TimeSpan? wordDelay = null) : IModelClient
{
    public const string ModelPrefix = "scripted";

    // The sandbox's working directory: file tools confine paths to it.
    private const string Folder = "/workspace";

    private readonly TimeSpan _wordDelay = wordDelay ?? TimeSpan.FromMilliseconds(15);

    public async Task<ModelResponse> StreamAsync(ModelRequest request, IModelStreamObserver observer, CancellationToken ct)
    {
        var conversation = ScriptedConversation.Read(request.Body);
        var (text, toolUse) = Next(conversation);

        var content = new List<JsonObject>();
        observer.OnBlockStart(0, "text");
        foreach (var word in Regex.Split(text, @"(?<=\s)"))
        {
            await Task.Delay(_wordDelay, ct);
            observer.OnTextDelta(0, word);
        }

        content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        if (toolUse is not null)
        {
            ct.ThrowIfCancellationRequested();
            observer.OnBlockStart(1, "tool_use");
            toolUse["id"] = $"toolu_scripted_{request.Body["messages"]?.AsArray().Count ?? 0}";
            content.Add(toolUse);
        }

        // Rough sizes (4 characters a token) so usage and budgets have something to count.
        var usage = new ModelUsage(request.Body.ToJsonString().Length / 4, content.Sum(b => b.ToJsonString().Length) / 4, 0, 0);
        return new ModelResponse(content, toolUse is null ? "end_turn" : "tool_use", usage);
    }

    private static (string Text, JsonObject? ToolUse) Next(ScriptedConversation c)
    {
        var wantsFile = c.IsFirstTurn || AsksForFile().IsMatch(c.Ask);
        var path = PathIn(c.Ask);
        var done = c.Calls.Select(call => call.Name).ToHashSet();
        var failed = c.Calls.Any(call => call.IsError);
        var unanswered = c.Calls.Any(call => call.Result is null);

        if (!failed && !unanswered && c.Calls.Count < 3)
        {
            if (wantsFile && c.Tools.Contains("write") && !done.Contains("write"))
            {
                return ($"I'll write {path} for you.", Tool("write", new JsonObject { ["file_path"] = path, ["content"] = Content(c.Ask) }));
            }

            if (done.Contains("write") && c.Tools.Contains("read") && !done.Contains("read"))
            {
                return ("Let me read it back to check.", Tool("read", new JsonObject { ["file_path"] = path }));
            }

            if ((done.Contains("write") || (c.Calls.Count == 0 && AsksForListing().IsMatch(c.Ask)))
                && c.Tools.Contains("bash") && !done.Contains("bash"))
            {
                // Relative to the shell's working directory (the workspace) wherever the file is in it.
                var directory = Path.GetDirectoryName(path) ?? Folder;
                var folder = done.Contains("write") && directory != Folder ? directory : ".";
                return ("And a quick look at the folder.", Tool("bash", new JsonObject { ["command"] = $"ls -la {folder}" }));
            }
        }

        return (Summary(c), null);
    }

    private static string Summary(ScriptedConversation c)
    {
        if (c.Calls.Count == 0)
        {
            return $"(scripted model) You said: \"{Shorten(c.Ask, 200)}\". I'm Hangar's built-in scripted model, so this is a canned answer; "
                + "set an Anthropic or OpenAI-compatible model on the agent for real ones.";
        }

        var lines = c.Calls.Select(call => call.Result is null
            ? $"- {call.Name}: no result"
            : $"- {call.Name}{(call.IsError ? " failed" : "")}: {Shorten(call.Result, 160)}");
        return "Here is what happened:\n" + string.Join("\n", lines) + "\nThat's all for this turn.";
    }

    private static JsonObject Tool(string name, JsonObject input) => new() { ["type"] = "tool_use", ["id"] = "", ["name"] = name, ["input"] = input };

    private static string Content(string ask) =>
        $"Hello from Hangar's scripted model.\nYou asked: {Shorten(ask, 200)}\n";

    private static string PathIn(string ask)
    {
        var match = FileName().Match(ask);
        if (!match.Success)
        {
            return $"{Folder}/hello.txt";
        }

        return match.Value.StartsWith('/') ? match.Value : $"{Folder}/{match.Value}";
    }

    private static string Shorten(string text, int max)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= max ? flat : flat[..max] + "…";
    }

    [GeneratedRegex(@"\b(write|create|make|save)\b|\bfile\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsksForFile();

    [GeneratedRegex(@"\b(ls|list)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsksForListing();

    [GeneratedRegex(@"(?<![\w/.-])/?[\w][\w./-]*\.[A-Za-z0-9]{1,5}\b")]
    private static partial Regex FileName();
}
