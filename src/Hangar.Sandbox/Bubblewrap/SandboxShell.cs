using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>The hooks the bash tool needs from its sandbox.</summary>
internal interface IShellHost
{
    /// <summary>Starts bash inside a fresh bwrap (the sandbox's shell process) and whatever serves its network.</summary>
    (ShellProcess Shell, StderrTail Stderr, IDisposable? Network) StartShell();

    LimitHits ReadHits();

    /// <summary>Kills everything of the sandbox (shell, runner, stray processes); the workspace stays.</summary>
    void StopAll();

    /// <summary>A note when the workspace is over its size limit, else null.</summary>
    string? CheckWorkspace();

    SandboxLimits Limits { get; }
}

/// <summary>
/// bash{command?, restart?, timeout_ms?} with the harness's semantics (<see cref="BashSession"/>: persistent
/// shell, end-marker protocol, 100 KiB tail, timeout kills the shell), run by a bash inside bwrap. On top:
/// while a command runs, the sandbox's cgroup counters are watched; an OOM kill or a refused fork (fork
/// bomb) stops the whole sandbox at once with a clear error, and the next command gets a fresh one.
/// </summary>
internal sealed class SandboxShell(IShellHost host) : IDisposable
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(100);
    private readonly SemaphoreSlim gate = new(1, 1);
    private ShellProcess? shell;
    private StderrTail? stderr;
    private IDisposable? network;

    public Task<ToolResult> ExecuteAsync(ToolInput input, CancellationToken ct) => BashCall.ExecuteAsync(gate, input, Stop, RunAsync, ct);

    /// <summary>Starts the shell now (the provider does this at acquisition so the first call is warm).</summary>
    public void EnsureStarted()
    {
        if (shell is null || shell.Process.HasExited || !shell.InStep)
        {
            Stop();
            (shell, stderr, network) = host.StartShell();
        }
    }

    private async Task<ToolResult> RunAsync(string command, int timeoutMs, CancellationToken ct)
    {
        EnsureStarted();
        var current = shell!;
        var before = host.ReadHits();
        var partial = new OutputTail(ToolLimits.MaxCommandOutputBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutMs);
        using var limitHit = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var watch = WatchAsync(before, limitHit);
        ShellOutcome? outcome = null;
        try
        {
            outcome = await current.RunAsync(command, partial, limitHit.Token);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller gave up (interrupt, lost lease): the command dies with the shell, as in BashSession.
            // A shell kept alive here would be out of step (ShellProcess.InStep): its pending stdout read
            // swallowed the output and marker of the next call (a retried `echo hi` then hung until its timeout).
            Stop();
            throw;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await limitHit.CancelAsync();
            await watch;
        }

        var limitNote = LimitNote(before, host.ReadHits());
        if (limitNote is not null)
        {
            host.StopAll();
            Stop();
            return BashCall.Result(outcome?.Output ?? partial.ToArray(), outcome?.Truncated ?? partial.Truncated, limitNote, isError: true);
        }
        if (outcome is null)
        {
            Stop(); // timeout: the command and everything it started die with the sandbox's shell
            return BashCall.Result(partial.ToArray(), partial.Truncated,
                BashCall.TimedOut(timeoutMs), isError: true);
        }
        var workspaceNote = host.CheckWorkspace();
        if (outcome.ShellExited)
        {
            var launch = stderr?.ToString();
            Stop();
            var code = outcome.ExitCode ?? -1;
            var note = BashCall.ShellExited(code);
            if (!string.IsNullOrWhiteSpace(launch))
                note += "\n[sandbox: " + launch.Trim() + "]";
            return BashCall.Result(outcome.Output, outcome.Truncated, Join(note, workspaceNote), isError: code != 0 || workspaceNote is not null);
        }
        if (workspaceNote is not null)
            return BashCall.Result(outcome.Output, outcome.Truncated, Join(outcome.ExitCode == 0 ? null : BashCall.ExitCode(outcome.ExitCode), workspaceNote), isError: true);
        return outcome.ExitCode == 0
            ? BashCall.Result(outcome.Output, outcome.Truncated, null, isError: false)
            : BashCall.Result(outcome.Output, outcome.Truncated, BashCall.ExitCode(outcome.ExitCode), isError: true);
    }

    /// <summary>Cancels <paramref name="stop"/> as soon as a limit counter moves (fork bomb, memory hog).</summary>
    private async Task WatchAsync(LimitHits before, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(WatchInterval, stop.Token);
                if (host.ReadHits() != before)
                {
                    await stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string? LimitNote(LimitHits before, LimitHits after)
    {
        const string Tail = "; the sandbox was stopped (its processes are gone, /workspace is kept) and the next command starts a fresh one]";
        if (after.OomKills > before.OomKills)
            return $"[out of memory: the sandbox exceeded its memory limit of {host.Limits.MemoryBytes >> 20} MiB" + Tail;
        if (after.ForksRefused > before.ForksRefused)
            return $"[too many processes: the sandbox hit its limit of {host.Limits.MaxProcesses} processes/threads" + Tail;
        return null;
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : a + "\n" + b;

    /// <summary>Kills the shell's bwrap; --die-with-parent then takes down its whole pid namespace.</summary>
    public void Stop()
    {
        var old = Interlocked.Exchange(ref shell, null);
        stderr = null;
        old?.Dispose();
        Interlocked.Exchange(ref network, null)?.Dispose();
    }

    public void Dispose() => Stop();
}
