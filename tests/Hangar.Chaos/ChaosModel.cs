using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.FakeModel;

namespace Hangar.Chaos;

/// <summary>
/// The fake model's script, a pure function of the request, so a worker that takes a session
/// over and asks again gets the same answer: each user turn ("chaos s07 turn 3") gets
/// <see cref="ChaosOptions.ToolCalls"/> bash calls, then a final text. Every call appends its
/// own token (<c>s07-t3-c1</c>) to <see cref="RunsFile"/> in the session's workspace, so the run
/// can count how often each call really ran.
/// </summary>
public static partial class ChaosModel
{
    public const string RunsFile = ".chaos-runs";

    public static string TurnText(string tag, int turn) => $"chaos {tag} turn {turn}";

    public static string FinalReply(string tag, int turn) => $"Done {tag} turn {turn}.";

    public static string Token(string tag, int turn, int call) => $"{tag}-t{turn}-c{call}";

    /// <summary>The token a logged bash command appends, or null when the command is not one of ours.</summary>
    public static string? TokenOf(string? command) => command is null ? null : CommandToken().Match(command) is { Success: true } m ? m.Groups[1].Value : null;

    public static FakeReply Reply(RecordedRequest request, ChaosOptions options)
    {
        var messages = request.Messages;
        var turnAt = -1;
        Match turn = Match.Empty;
        for (var i = messages.Count - 1; i >= 0 && turnAt < 0; i--)
        {
            if ((string?)messages[i]?["role"] == "user" && TurnPattern().Match(TextOf(messages[i]!["content"])) is { Success: true } match)
            {
                turnAt = i;
                turn = match;
            }
        }
        if (turnAt < 0)
        {
            return FakeReply.Text("No chaos turn found in this request.");
        }
        var tag = turn.Groups[1].Value;
        var number = int.Parse(turn.Groups[2].Value, CultureInfo.InvariantCulture);
        var calls = messages.Skip(turnAt + 1).Sum(m => m?["content"] is JsonArray blocks ? blocks.Count(b => (string?)b?["type"] == "tool_result") : 0);
        if (calls < options.ToolCalls)
        {
            var token = Token(tag, number, calls + 1);
            var sleep = options.ToolSleep.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return FakeReply.ToolUse("bash", new { command = $"echo {token} >> {RunsFile}; sleep {sleep}; echo ran {token}" })
                .WithText($"Call {calls + 1} of {tag} turn {number}.")
                .WithTokenDelay(options.TokenDelay);
        }
        return FakeReply.Text(FinalReply(tag, number)).WithTokenDelay(options.TokenDelay);
    }

    private static string TextOf(JsonNode? content) => content switch
    {
        JsonValue text => text.GetValue<string>(),
        JsonArray blocks => string.Concat(blocks.Select(b => (string?)b?["type"] == "text" ? (string?)b["text"] : null)),
        _ => "",
    };

    [GeneratedRegex(@"\bchaos (s\d+) turn (\d+)\b")]
    private static partial Regex TurnPattern();

    [GeneratedRegex(@"^echo (\S+) >> \.chaos-runs;")]
    private static partial Regex CommandToken();
}
