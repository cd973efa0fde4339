using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Harness.Context;
using Hangar.Harness.Turns;
using Hangar.Tools;

namespace Hangar.Harness.Tests.Golden;

/// <summary>
/// Replays a golden log through the current harness: for every prefix (the state a worker could
/// wake to) the <see cref="SessionStep.Decide"/> decision and, where it calls the model, the request
/// <see cref="ContextBuilder"/> builds (system, tools, messages), what it consumes and whether it
/// would compact first. The result is what Golden/Expected/&lt;name&gt;.json pins down.
/// </summary>
public static class GoldenReplay
{
    private const string SameTools = "(the top-level \"tools\")";

    public static JsonObject Expect(GoldenLog log)
    {
        var steps = new JsonArray();
        JsonNode? tools = null;
        foreach (var e in log.Events)
        {
            var prefix = log.Prefix(e.Seq);
            var state = LogState.Of(prefix);
            var step = SessionStep.Decide(state, ended: false, log.MaxModelAttempts);
            var entry = new JsonObject { ["seq"] = e.Seq, ["after"] = e.Type, ["step"] = Describe(step) };
            if (step is SessionStep.CallModel)
            {
                var request = Request(log, prefix);
                var body = (JsonObject)request["body"]!;
                // The tool definitions are long and rarely change within a session: written out once.
                tools ??= body["tools"]?.DeepClone();
                if (tools is not null && JsonNode.DeepEquals(body["tools"], tools))
                {
                    body["tools"] = SameTools;
                }
                entry["request"] = request;
            }
            steps.Add(entry);
        }
        return new JsonObject { ["log"] = log.Name, ["tools"] = tools, ["steps"] = steps };
    }

    public static string ExpectedPath(string name) => Path.Combine(GoldenLog.Folder(), "Expected", name + ".json");

    /// <summary>Writes Golden/Expected/&lt;name&gt;.json (recording and update mode only).</summary>
    public static void WriteExpected(string name, JsonObject expected) =>
        File.WriteAllText(ExpectedPath(name), expected.ToJsonString(Pretty) + "\n");

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The model request a worker would send from this prefix (ModelTurn's context, MCP tools from the log).</summary>
    public static BuiltContext Build(GoldenLog log, IReadOnlyList<Log.LoggedEvent> prefix) =>
        ContextBuilder.Build(log.Agent, prefix, new ContextOptions(BuiltInTools.Definitions(), log.MaxTokens));

    private static JsonObject Request(GoldenLog log, IReadOnlyList<Log.LoggedEvent> prefix)
    {
        var context = Build(log, prefix);
        var compacts = context.EstimatedTokens > ModelWindows.For((string)context.Body["model"]!) * log.CompactionThreshold;
        return new JsonObject
        {
            ["consumes"] = new JsonArray([.. context.ConsumedUserEventIds.Select(id => (JsonNode)id)]),
            ["over_compaction_threshold"] = compacts,
            ["body"] = context.Body.DeepClone(),
        };
    }

    private static JsonObject Describe(SessionStep step)
    {
        var json = new JsonObject { ["type"] = step.GetType().Name };
        switch (step)
        {
            case SessionStep.Interrupt s:
                json["interrupt_ids"] = Ids(s.InterruptIds);
                break;
            case SessionStep.CloseOpenRequest s:
                json["start_id"] = s.StartId;
                break;
            case SessionStep.Deny s:
                json["calls"] = new JsonArray([.. s.Calls.Select(Call)]);
                break;
            case SessionStep.RunTool s:
                json["call"] = Call(s.Call);
                break;
            case SessionStep.Wait s:
                json["event_ids"] = Ids(s.EventIds);
                break;
            case SessionStep.CallModel s:
                json["attempt"] = s.Attempt;
                break;
            case SessionStep.EndTurn s:
                json["stop_reason"] = s.StopReason;
                break;
        }
        return json;
    }

    private static JsonObject Call(PendingCall call) => new()
    {
        ["tool_use_id"] = call.Use.Id,
        ["name"] = call.Name,
        ["state"] = call.State.ToString(),
        ["deny_message"] = call.DenyMessage,
        ["confirmation_id"] = call.ConfirmationId,
    };

    private static JsonArray Ids(IEnumerable<string> ids) => new([.. ids.Select(id => (JsonNode)id)]);
}
