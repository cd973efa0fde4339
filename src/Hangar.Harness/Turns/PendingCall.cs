using Hangar.Harness.Log;
using Hangar.Tools;

namespace Hangar.Harness.Turns;

/// <summary>Where a tool call without a result stands.</summary>
public enum CallState
{
    /// <summary>Allowed (by policy or by the user's confirmation): the harness runs it.</summary>
    Runnable,
    /// <summary>Refused (by policy or by the user): the harness answers with an error result.</summary>
    Denied,
    /// <summary><c>evaluated_permission: ask</c> and no <c>user.tool_confirmation</c> yet.</summary>
    AwaitingConfirmation,
    /// <summary>A custom tool: the client runs it and answers with <c>user.custom_tool_result</c>.</summary>
    AwaitingClientResult,
}

/// <summary>A tool-use event with no result in the log.</summary>
/// <param name="Use">The <c>agent.tool_use</c> / <c>agent.custom_tool_use</c> / <c>agent.mcp_tool_use</c> event.</param>
/// <param name="ConfirmationId">The <c>user.tool_confirmation</c> that decided it, if any.</param>
public sealed record PendingCall(LoggedEvent Use, CallState State, string? DenyMessage, string? ConfirmationId)
{
    public bool IsWaiting => State is CallState.AwaitingConfirmation or CallState.AwaitingClientResult;

    /// <summary>The result event type that answers this call.</summary>
    public string ResultType => Use.Type == "agent.mcp_tool_use" ? "agent.mcp_tool_result" : "agent.tool_result";

    public string Name => Use.String("name") ?? "";

    /// <summary>
    /// In a self-hosted environment this call runs on the worker: a built-in tool call other than
    /// the server tools (web_fetch, web_search), which run here for every environment.
    /// </summary>
    public bool RunsOnWorker => Use.Type == "agent.tool_use" && !BuiltInTools.HostNames.Contains(Name);
}
