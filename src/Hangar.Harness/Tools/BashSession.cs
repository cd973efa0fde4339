namespace Hangar.Harness.Tools;

/// <summary>
/// bash{command?, restart?, timeout_ms?}: one persistent shell per sandbox, so cwd, variables and
/// background jobs carry over between calls. Commands run one at a time with stdin from /dev/null
/// and stdout+stderr merged; output is ANSI-stripped and cut to its last 100 KiB. A timeout
/// (default 120 s, at most 10 min) or an interrupt kills the shell's whole process group; the next
/// call starts a fresh shell. Not a security boundary: the shell can reach anything its host can.
/// </summary>
public sealed class BashSession(string workingDirectory) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ShellProcess? shell;

    public async Task<ToolResult> ExecuteAsync(ToolInput input, CancellationToken ct)
    {
        var request = BashRequest.Read(input);
        await gate.WaitAsync(ct);
        try
        {
            if (request.Restart)
            {
                Stop();
                if (request.RestartOnly)
                    return ToolResult.Text("Shell restarted");
            }
            return await RunAsync(request.Command!, request.TimeoutMs, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ToolResult> RunAsync(string command, int timeoutMs, CancellationToken ct)
    {
        if (shell is { InStep: false })
            Stop(); // its last command was abandoned: never reuse an out-of-step shell
        shell ??= ShellProcess.Start(workingDirectory);
        var partial = new OutputTail(ToolLimits.MaxCommandOutputBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutMs);
        ShellOutcome outcome;
        try
        {
            outcome = await shell.RunAsync(command, partial, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Stop(); // interrupt or timeout: the command and everything it started die with the shell
            ct.ThrowIfCancellationRequested();
            return Result(partial.ToArray(), partial.Truncated,
                $"[command timed out after {timeoutMs} ms; the shell was killed, the next command starts a fresh shell]", isError: true);
        }

        if (outcome.ShellExited)
        {
            Stop();
            var code = outcome.ExitCode ?? -1;
            return Result(outcome.Output, outcome.Truncated,
                $"[the shell exited with code {code}; the next command starts a fresh shell]", isError: code != 0);
        }
        return outcome.ExitCode == 0
            ? Result(outcome.Output, outcome.Truncated, null, isError: false)
            : Result(outcome.Output, outcome.Truncated, $"[exit code {outcome.ExitCode}]", isError: true);
    }

    private static ToolResult Result(byte[] output, bool truncated, string? note, bool isError)
    {
        var text = TerminalText.Clean(output).TrimEnd('\n');
        if (truncated)
            text = ToolLimits.TruncationMarker + "\n" + text;
        if (note is not null)
            text = text.Length == 0 ? note : text + "\n" + note;
        return ToolResult.Text(text.Length == 0 ? "(no output)" : text, isError);
    }

    private void Stop() => Interlocked.Exchange(ref shell, null)?.Dispose();

    /// <summary>Kills the shell at once, even mid-command (that command then ends as if the shell exited).</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
