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

    /// <summary>The policy is <c>auto</c>: each call is classified by <see cref="AutoPermission"/>.</summary>
    public bool IsAuto => Evaluation?["type"]?.GetValue<string>() == "auto";

    /// <summary>
    /// The policy object from the agent config. For <c>auto</c> this is the undetermined verdict,
    /// replaced per call by <see cref="ForBuiltInCall"/> / <see cref="ForMcpCall"/>.
    /// </summary>
    public static ToolPermission FromPolicy(string policy) => policy switch
    {
        "always_allow" => new("allow", new JsonObject { ["type"] = "always_allow" }),
        "auto" => new("ask", new JsonObject
        {
            ["type"] = "auto",
            ["evaluated_permission"] = new JsonObject { ["type"] = "ask", ["reason_code"] = AutoPermission.Indeterminate },
        }),
        _ => new("ask", new JsonObject { ["type"] = "always_ask" }),
    };

    /// <summary>This policy applied to one built-in call (only <c>auto</c> looks at the input).</summary>
    public ToolPermission ForBuiltInCall(string tool, JsonObject input) => IsAuto ? AutoPermission.ForBuiltIn(tool, input) : this;

    /// <summary>This policy applied to one MCP call (only <c>auto</c> looks at the tool's name).</summary>
    public ToolPermission ForMcpCall(string tool) => IsAuto ? AutoPermission.ForMcp(tool) : this;

    public static string DeniedMessage(string toolName) => $"Permission to use {toolName} has been denied.";
}
