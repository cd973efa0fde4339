using System.Text.Json.Nodes;

namespace Hangar.Harness.Tests.Golden;

/// <summary>
/// Recorded session logs replayed through the current harness must decide the same steps and
/// build the same model requests as when they were recorded: a worker of a new release resuming a
/// live session (after a deploy or a crash) reads a log an older release wrote. A change that
/// alters a decision or a request fails here first. Accept an intended change with
/// <c>HANGAR_UPDATE_GOLDEN=1</c> (rewrites Golden/Expected) and review the diff in git.
/// </summary>
public sealed class GoldenReplayTests
{
    public const string UpdateVariable = "HANGAR_UPDATE_GOLDEN";

    public static TheoryData<string> Logs() => [.. GoldenLog.Names()];

    [Theory]
    [MemberData(nameof(Logs))]
    public void Replaying_a_recorded_log_decides_and_requests_as_recorded(string name)
    {
        var actual = GoldenReplay.Expect(GoldenLog.Load(name));
        var path = GoldenReplay.ExpectedPath(name);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            GoldenReplay.WriteExpected(name, actual);
            return;
        }
        Assert.True(File.Exists(path), $"No expectation for golden log '{name}': run with {UpdateVariable}=1 to write {path}, and review it.");
        var expected = JsonNode.Parse(File.ReadAllText(path))!;
        if (!JsonNode.DeepEquals(expected, actual))
        {
            Assert.Fail(Explain(name, (JsonObject)expected, actual));
        }
    }

    [Fact]
    public void Every_shape_the_issue_lists_has_a_golden_log()
    {
        // Threads and outcomes are not implemented yet; their logs join this list when they are.
        string[] shapes =
        [
            "plain_turn", "builtin_tool", "custom_tool", "ask_allow", "ask_deny", "interrupt",
            "model_retries", "compaction", "crash_open_request", "crash_open_tool_call",
        ];
        Assert.Equal(shapes.Order(StringComparer.Ordinal), GoldenLog.Names());
    }

    [Fact]
    public void Every_log_ends_where_a_worker_has_nothing_left_to_do()
    {
        foreach (var name in GoldenLog.Names())
        {
            var steps = (JsonArray)GoldenReplay.Expect(GoldenLog.Load(name))["steps"]!;
            var last = (string?)steps[^1]!["step"]!["type"];
            Assert.True(last is "Settle" or "Wait", $"{name}: the full log still decides {last}; it was recorded before its turn settled.");
        }
    }

    /// <summary>The first prefix whose decision or request changed, what changed in it, and how to accept it.</summary>
    private static string Explain(string name, JsonObject expected, JsonObject actual)
    {
        var was = (JsonArray)expected["steps"]!;
        var now = (JsonArray)actual["steps"]!;
        var detail = $"the number of replayed prefixes changed ({was.Count} expected, {now.Count} now)";
        for (var i = 0; i < Math.Min(was.Count, now.Count); i++)
        {
            if (!JsonNode.DeepEquals(was[i], now[i]))
            {
                var (path, left, right) = FirstDifference(was[i], now[i], "");
                detail = $"the log up to seq {now[i]!["seq"]} (last event {now[i]!["after"]}) replays differently at {path}:\n"
                    + $"  recorded: {Show(left)}\n  now:      {Show(right)}";
                break;
            }
        }
        return $"Golden log '{name}' no longer replays as recorded: {detail}.\n"
            + "A worker running this build would resume a live session with that log differently from the release that wrote it.\n"
            + $"If the change is intended (and safe for sessions already in flight), accept it with\n"
            + $"  {UpdateVariable}=1 dotnet test tests/Hangar.Harness.Tests --filter FullyQualifiedName~Golden\n"
            + $"and commit the reviewed diff of {GoldenReplay.ExpectedPath(name)}.";
    }

    private static (string Path, JsonNode? Left, JsonNode? Right) FirstDifference(JsonNode? left, JsonNode? right, string path)
    {
        if (left is JsonObject l && right is JsonObject r)
        {
            foreach (var key in l.Select(p => p.Key).Union(r.Select(p => p.Key)))
            {
                if (!JsonNode.DeepEquals(l[key], r[key]))
                {
                    return FirstDifference(l[key], r[key], $"{path}.{key}");
                }
            }
        }
        if (left is JsonArray la && right is JsonArray ra && la.Count == ra.Count)
        {
            for (var i = 0; i < la.Count; i++)
            {
                if (!JsonNode.DeepEquals(la[i], ra[i]))
                {
                    return FirstDifference(la[i], ra[i], $"{path}[{i}]");
                }
            }
        }
        return (path.Length == 0 ? "the step" : path.TrimStart('.'), left, right);
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(absent)";
        return text.Length > 400 ? text[..400] + "…" : text;
    }
}
