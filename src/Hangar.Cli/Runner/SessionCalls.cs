using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Cli.Runner;

/// <summary>
/// Reads a session's event list the way a worker must: which <c>agent.tool_use</c> calls are this runner's
/// to run now, and whether the session sits idle after its turn ended. Pure: no I/O.
/// </summary>
public sealed class SessionCalls
{
    /// <summary>The built-in tools that run in the sandbox; web tools and MCP calls run server-side, custom tools belong to the client.</summary>
    public static readonly IReadOnlySet<string> SandboxTools = new HashSet<string>(StringComparer.Ordinal) { "bash", "read", "write", "edit", "glob", "grep" };

    private SessionCalls(IReadOnlyList<JsonObject> runnable, bool idleAfterTurn)
    {
        Runnable = runnable;
        IdleAfterTurn = idleAfterTurn;
    }

    /// <summary>
    /// Calls to run now, oldest first: built-in sandbox tools with no <c>user.tool_result</c> yet (a runner that
    /// took over must not run a call whose result its predecessor posted), allowed outright or confirmed
    /// with <c>allow</c> (an ask-gated call waits; a denied one is never run).
    /// </summary>
    public IReadOnlyList<JsonObject> Runnable { get; }

    /// <summary>The latest status is idle with an <c>end_turn</c> stop (not requires_action): nothing left to do here.</summary>
    public bool IdleAfterTurn { get; }

    public static SessionCalls Of(IReadOnlyList<JsonObject> events)
    {
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var confirmations = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch ((string?)e["type"])
            {
                case "user.tool_result" or "agent.tool_result":
                    answered.Add((string?)e["tool_use_id"] ?? "");
                    break;
                case "user.tool_confirmation":
                    confirmations[(string?)e["tool_use_id"] ?? ""] = (string?)e["result"];
                    break;
            }
        }
        var runnable = events
            .Where(e => (string?)e["type"] == "agent.tool_use"
                && SandboxTools.Contains((string?)e["name"] ?? "")
                && !answered.Contains((string?)e["id"] ?? ""))
            .Where(e => (string?)e["evaluated_permission"] switch
            {
                null or "allow" => true,
                "ask" => confirmations.GetValueOrDefault((string?)e["id"] ?? "") == "allow",
                _ => false,
            })
            .ToList();
        var lastStatus = events.LastOrDefault(e => ((string?)e["type"])?.StartsWith("session.status_", StringComparison.Ordinal) == true);
        var idle = lastStatus is not null && (string?)lastStatus["type"] == "session.status_idle"
            && (string?)lastStatus["stop_reason"]?["type"] == "end_turn";
        return new SessionCalls(runnable, idle && runnable.Count == 0);
    }

    /// <summary>The call as the sandbox runs it; the event id is the idempotency key.</summary>
    public static ToolCall ToolCallOf(JsonObject use) =>
        new((string)use["name"]!, use["input"]?.DeepClone() as JsonObject ?? [], (string)use["id"]!);

    public static JsonObject Result(string toolUseId, ToolResult result) => new()
    {
        ["type"] = "user.tool_result",
        ["tool_use_id"] = toolUseId,
        ["content"] = result.Content.DeepClone(),
        ["is_error"] = result.IsError,
    };
}
