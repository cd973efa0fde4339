namespace Hangar.Tools;

/// <summary>
/// What every bash shell (the local <see cref="BashSession"/>, the sandbox's shell) does around a
/// command the same way: one call at a time with a restart first if asked, and the result text
/// (ANSI-stripped output, truncation marker, the note saying how the command ended).
/// </summary>
public static class BashCall
{
    /// <summary>Reads the input, then under <paramref name="gate"/>: <paramref name="restart"/> if asked, and <paramref name="run"/> the command.</summary>
    public static async Task<ToolResult> ExecuteAsync(
        SemaphoreSlim gate, ToolInput input, Action restart, Func<string, int, CancellationToken, Task<ToolResult>> run, CancellationToken ct)
    {
        var request = BashRequest.Read(input);
        await gate.WaitAsync(ct);
        try
        {
            if (request.Restart)
            {
                restart();
                if (request.RestartOnly)
                    return ToolResult.Text("Shell restarted");
            }
            return await run(request.Command!, request.TimeoutMs, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    public static string TimedOut(int timeoutMs) =>
        $"[command timed out after {timeoutMs} ms; the shell was killed, the next command starts a fresh shell]";

    public static string ShellExited(int code) => $"[the shell exited with code {code}; the next command starts a fresh shell]";

    public static string ExitCode(int? code) => $"[exit code {code}]";

    public static ToolResult Result(byte[] output, bool truncated, string? note, bool isError)
    {
        var text = TerminalText.Clean(output).TrimEnd('\n');
        if (truncated)
            text = ToolLimits.TruncationMarker + "\n" + text;
        if (note is not null)
            text = text.Length == 0 ? note : text + "\n" + note;
        return ToolResult.Text(text.Length == 0 ? "(no output)" : text, isError);
    }
}
