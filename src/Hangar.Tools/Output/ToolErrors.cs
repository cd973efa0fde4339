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

    /// <summary>ENOSPC (or EDQUOT): the sandbox's disk quota is used up, not a fault of the tool.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException { HResult: DiskFullErrno or QuotaExceededErrno or unchecked((int)0x80070070) };

    /// <summary>
    /// What the model reads when its disk is full, with <paramref name="quotaBytes"/> (the size of the
    /// filesystem it writes to) and what to do about it.
    /// </summary>
    public static string DiskFull(long quotaBytes) =>
        $"disk full: the workspace quota of {quotaBytes} bytes ({quotaBytes / (1024.0 * 1024):0.#} MiB) is used up; "
        + "delete files you no longer need (in /workspace, /mnt/session/outputs or cloned repositories) before writing more";

    /// <summary>The size of the filesystem holding <paramref name="path"/> (statvfs), the quota a sandbox writes against.</summary>
    public static long FileSystemBytes(string path)
    {
        try
        {
            return new DriveInfo(path).TotalSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    private const int DiskFullErrno = 28; // ENOSPC: .NET keeps the errno as HResult for errors it has no type for
    private const int QuotaExceededErrno = 122; // EDQUOT

    /// <summary>A call to a tool the sandbox does not have.</summary>
    public static ToolResult UnknownTool(string name) =>
        ToolResult.Text($"Unknown tool '{name}'. Available tools: {string.Join(", ", BuiltInTools.Names)}", isError: true);
}
