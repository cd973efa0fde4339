namespace Hangar.Tools;

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

    public Task<ToolResult> ExecuteAsync(ToolInput input, CancellationToken ct) => BashCall.ExecuteAsync(gate, input, Stop, RunAsync, ct);

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
            return BashCall.Result(partial.ToArray(), partial.Truncated,
                BashCall.TimedOut(timeoutMs), isError: true);
        }

        if (outcome.ShellExited)
        {
            Stop();
            var code = outcome.ExitCode ?? -1;
            return BashCall.Result(outcome.Output, outcome.Truncated,
                BashCall.ShellExited(code), isError: code != 0);
        }
        return outcome.ExitCode == 0
            ? BashCall.Result(outcome.Output, outcome.Truncated, null, isError: false)
            : BashCall.Result(outcome.Output, outcome.Truncated, BashCall.ExitCode(outcome.ExitCode), isError: true);
    }

    private void Stop() => Interlocked.Exchange(ref shell, null)?.Dispose();

    /// <summary>Kills the shell at once, even mid-command (that command then ends as if the shell exited).</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
