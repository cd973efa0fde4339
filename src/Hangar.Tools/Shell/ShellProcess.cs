using System.Diagnostics;
using System.Text;

namespace Hangar.Tools;

/// <summary>What one command produced: its (tail-capped) output bytes and how it ended.</summary>
public sealed record ShellOutcome(byte[] Output, bool Truncated, int? ExitCode, bool ShellExited);

/// <summary>
/// One live <c>/bin/bash --noprofile --norc</c>. Each command is sent as
/// <c>eval '&lt;command&gt;' &lt; /dev/null</c> followed by a <c>printf</c> of a per-command random
/// end marker carrying <c>$?</c>; output up to the marker is the command's. eval keeps cwd, variables
/// and jobs in this shell, and a syntax error in the command cannot swallow the marker.
/// A call that does not end at its marker (cancelled, timed out, failed) leaves the shell out of step:
/// its command may still run, and its stdout read stays pending and would swallow the next command's
/// output and marker (that next command then hangs). Such a shell is never used again (<see cref="InStep"/>).
/// </summary>
public sealed class ShellProcess : IDisposable
{
    private readonly Process process;
    private readonly Stream stdout;
    private readonly byte[] buffer = new byte[64 * 1024];
    private byte[] leftover = [];

    private ShellProcess(Process process)
    {
        this.process = process;
        stdout = process.StandardOutput.BaseStream;
    }

    public static ShellProcess Start(string workingDirectory)
    {
        // setsid makes bash a session and process-group leader, so a kill reaches all it spawned.
        var start = new ProcessStartInfo("/usr/bin/setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "/bin/bash", "--noprofile", "--norc" })
            start.ArgumentList.Add(arg);
        CleanEnvironment.Apply(start.Environment, workingDirectory);
        return Start(start);
    }

    /// <summary>
    /// Starts a shell from a caller-built command whose stdin/stdout are redirected and which ends in
    /// <c>bash --noprofile --norc</c> (e.g. bash inside a bubblewrap sandbox). The caller owns the
    /// environment and stderr; <see cref="Process"/> exposes the process for that. <paramref name="launch"/>
    /// replaces <see cref="Process.Start(ProcessStartInfo)"/> (e.g. to fork from a dedicated thread).
    /// </summary>
    public static ShellProcess Start(ProcessStartInfo start, Func<ProcessStartInfo, Process?>? launch = null)
    {
        var process = (launch ?? Process.Start)(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.StandardInput.AutoFlush = true;
        // Merge the shell's stderr into stdout for everything it runs from now on.
        process.StandardInput.Write("exec 2>&1\n");
        return new ShellProcess(process);
    }

    /// <summary>
    /// Runs <paramref name="command"/> until its end marker arrives or the shell exits. Throws
    /// <see cref="OperationCanceledException"/> on <paramref name="ct"/> (the caller kills the shell);
    /// <paramref name="partial"/> receives what arrived so far either way.
    /// </summary>
    public async Task<ShellOutcome> RunAsync(string command, OutputTail partial, CancellationToken ct)
    {
        if (!InStep)
            throw new InvalidOperationException("this shell's previous command was abandoned mid-way; start a fresh shell");
        InStep = false; // until this command's marker is read
        var marker = Encoding.ASCII.GetBytes($"\n__HANGAR_END_{Guid.NewGuid():N}_");
        try
        {
            await process.StandardInput.WriteAsync(
                $"eval {ShellQuote(command)} < /dev/null\nprintf '{Encoding.ASCII.GetString(marker).Replace("\n", "\\n")}%d__\\n' \"$?\"\n".AsMemory(), ct);
        }
        catch (IOException)
        {
            return new ShellOutcome(partial.ToArray(), partial.Truncated, ExitCodeOrNull(), ShellExited: true);
        }

        var pending = new List<byte>(leftover);
        leftover = [];
        while (true)
        {
            var end = FindMarkerEnd(pending, marker, out var exitCode, out var markerStart);
            if (end >= 0)
            {
                partial.Append(pending.GetRange(0, markerStart).ToArray());
                leftover = pending.GetRange(end, pending.Count - end).ToArray();
                InStep = true;
                return new ShellOutcome(partial.ToArray(), partial.Truncated, exitCode, ShellExited: false);
            }
            // Keep only what could still be the start of a marker; the rest is output.
            var keep = Math.Min(pending.Count, marker.Length + 16);
            partial.Append(pending.GetRange(0, pending.Count - keep).ToArray());
            pending.RemoveRange(0, pending.Count - keep);

            int read;
            try
            {
                read = await stdout.ReadAsync(buffer, CancellationToken.None).AsTask().WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                partial.Append(pending.ToArray()); // what the command printed before it was stopped
                throw;
            }
            if (read == 0)
            {
                partial.Append(pending.ToArray());
                await process.WaitForExitAsync(ct);
                return new ShellOutcome(partial.ToArray(), partial.Truncated, ExitCodeOrNull(), ShellExited: true);
            }
            pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    /// <summary>
    /// True while every command sent has been read up to its end marker, so no earlier command can still
    /// print and no read of stdout is left pending. False once a <see cref="RunAsync"/> ended otherwise:
    /// then this shell must be replaced by a fresh one.
    /// </summary>
    public bool InStep { get; private set; } = true;

    /// <summary>The started process (its pid, stderr when redirected, exit state).</summary>
    public Process Process => process;

    public void Dispose()
    {
        ProcessGroup.KillAll(process);
        process.Dispose();
    }

    private int? ExitCodeOrNull() => process.HasExited ? process.ExitCode : null;

    /// <summary>Index just past "marker&lt;digits&gt;__\n" in <paramref name="data"/>, or -1 if not complete yet.</summary>
    private static int FindMarkerEnd(List<byte> data, byte[] marker, out int exitCode, out int markerStart)
    {
        exitCode = 0;
        markerStart = -1;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data);
        var at = span.IndexOf(marker);
        if (at < 0)
            return -1;
        var rest = span[(at + marker.Length)..];
        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
            return -1;
        var digits = Encoding.ASCII.GetString(rest[..newline]).TrimEnd('_');
        exitCode = int.TryParse(digits, out var code) ? code : -1;
        markerStart = at;
        return at + marker.Length + newline + 1;
    }

    /// <summary>Single-quotes for bash: the text is passed to eval byte-for-byte.</summary>
    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}
