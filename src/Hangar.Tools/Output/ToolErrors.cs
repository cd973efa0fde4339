using System.Text.RegularExpressions;

namespace Hangar.Tools;

/// <summary>
/// How a tool's own failure becomes the result the model reads, the same in every sandbox and in the
/// in-sandbox runner: a refusal (<see cref="ToolInputException"/>) is its message; an I/O, permission or
/// regex-timeout failure is its message after the tool's name. Anything else (cancellation, a torn-down
/// sandbox, a bug) is not the tool's failure and propagates to the sandbox, which decides what it means.
/// </summary>
public static class ToolErrors
{
    public static bool IsToolFailure(Exception e) =>
        e is ToolInputException or IOException or UnauthorizedAccessException or RegexMatchTimeoutException;

    /// <summary>The error result for a failure <see cref="IsToolFailure"/> accepts.</summary>
    public static ToolResult Result(string toolName, Exception e) =>
        ToolResult.Text(e is ToolInputException ? e.Message : $"{toolName}: {e.Message}", isError: true);

    /// <summary>Runs one tool, answering its own failures with their error result.</summary>
    public static async Task<ToolResult> CatchAsync(string toolName, Func<Task<ToolResult>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception e) when (IsToolFailure(e))
        {
            return Result(toolName, e);
        }
    }

    /// <summary>A call to a tool the sandbox does not have.</summary>
    public static ToolResult UnknownTool(string name) =>
        ToolResult.Text($"Unknown tool '{name}'. Available tools: {string.Join(", ", BuiltInTools.Names)}", isError: true);
}
