using System.Text.Json.Nodes;

namespace Hangar.Harness.Context;

/// <summary>
/// How a tool call was judged before it ran: <c>evaluated_permission</c> (allow | ask | deny) and
/// the <c>evaluation</c> object (null when the tool was refused before any policy applied).
/// </summary>
public sealed record ToolPermission(string Evaluated, JsonObject? Evaluation)
{
    public static readonly ToolPermission NotEnabled = new("deny", null);

    public bool IsAllowed => Evaluated == "allow";

    public bool NeedsConfirmation => Evaluated == "ask";

    /// <summary>
    /// The policy object from the agent config. <c>auto</c> has no classifier yet: every call is
    /// treated as undetermined and asks the user (the documented fallback for an undetermined call).
    /// </summary>
    public static ToolPermission FromPolicy(string policy) => policy switch
    {
        "always_allow" => new("allow", new JsonObject { ["type"] = "always_allow" }),
        "auto" => new("ask", new JsonObject
        {
            ["type"] = "auto",
            ["evaluated_permission"] = new JsonObject { ["type"] = "ask", ["reason_code"] = "indeterminate" },
        }),
        _ => new("ask", new JsonObject { ["type"] = "always_ask" }),
    };

    public static string DeniedMessage(string toolName) => $"Permission to use {toolName} has been denied.";
}
