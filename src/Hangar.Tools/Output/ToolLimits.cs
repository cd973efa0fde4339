namespace Hangar.Tools;

/// <summary>Output ceilings shared by the tools (behaviour.md §4 reference semantics).</summary>
public static class ToolLimits
{
    /// <summary>bash and grep output cap (100 KiB of UTF-8).</summary>
    public const int MaxCommandOutputBytes = 100 * 1024;

    /// <summary>Appended (grep) or prepended (bash) when output was cut to the cap.</summary>
    public const string TruncationMarker = "[output truncated]";

    /// <summary>Any tool result longer than this is spilled to a file in the workspace.</summary>
    public const int MaxResultChars = 100_000;
}
