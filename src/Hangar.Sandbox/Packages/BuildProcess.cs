using System.Diagnostics;
using System.Text;
using Hangar.Sandbox.Bubblewrap;

namespace Hangar.Sandbox.Packages;

/// <summary>The outcome of one build command: its exit code (null when it was killed on timeout) and output tail.</summary>
internal sealed record BuildOutput(int? ExitCode, string Output)
{
    private static readonly string[] NetworkHints = ["Tunnel connection failed", "ProxyError", "ENOTFOUND", "ECONNREFUSED", "Could not resolve", "403 Forbidden", "502 Bad Gateway"];

    public bool Succeeded => ExitCode == 0;

    /// <summary>
    /// The reason to show a user: the manager's error lines if it printed any (npm "npm error", pip
    /// "ERROR:", apt "E:"), else its last lines; bounded so an event stays readable.
    /// </summary>
    public string Reason(string what)
    {
        if (ExitCode is null)
            return $"{what} did not finish in time (killed)";
        var lines = Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("npm error", StringComparison.Ordinal) || l.StartsWith("ERROR:", StringComparison.Ordinal)
            || l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("error", StringComparison.OrdinalIgnoreCase)).ToList();
        var chosen = (errors.Count > 0 ? errors : [.. lines]).TakeLast(8).ToList();
        // pip reports the network cause only in a warning before its generic "no matching distribution".
        if (lines.LastOrDefault(l => NetworkHints.Any(h => l.Contains(h, StringComparison.Ordinal))) is { } cause && !chosen.Contains(cause))
            chosen.Insert(0, cause.Length > 400 ? cause[..400] + "…" : cause);
        var text = string.Join(" | ", chosen);
        if (text.Length > 1500)
            text = string.Concat("…", text.AsSpan(text.Length - 1500));
        return $"{what} exited with {ExitCode}" + (text.Length > 0 ? $": {text}" : "");
    }
}

/// <summary>Runs a build command with stdin closed, collecting stdout+stderr, killed (whole tree) on timeout or cancellation.</summary>
internal static class BuildProcess
{
    private const int TailChars = 64 * 1024;

    /// <summary>Host variables a build on the host may still need: how to reach a mirror through the operator's proxy.</summary>
    private static readonly string[] PassedThrough = ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];

    /// <summary>
    /// Replaces the inherited environment (which holds HANGAR_MASTER_KEY, database passwords and whatever else the
    /// operator gave Hangar) with a fixed PATH, the C locale and only the proxy variables; callers add their own.
    /// </summary>
    public static void CleanEnvironment(ProcessStartInfo start)
    {
        var proxies = PassedThrough.Select(name => (name, value: Environment.GetEnvironmentVariable(name))).Where(v => v.value is not null).ToList();
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["LC_ALL"] = "C";
        foreach (var (name, value) in proxies)
            start.Environment[name] = value;
    }

    public static async Task<BuildOutput> RunAsync(ProcessStartInfo start, TimeSpan timeout, Action? onKill, CancellationToken ct)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        using var process = LauncherThread.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.StandardInput.Close();
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null)
                return;
            lock (output)
            {
                output.Append(line).Append('\n');
                if (output.Length > TailChars * 2)
                    output.Remove(0, output.Length - TailChars);
            }
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process, onKill);
            ct.ThrowIfCancellationRequested();
            lock (output)
                return new BuildOutput(null, output.ToString());
        }
        process.WaitForExit(); // drains the redirected streams
        lock (output)
            return new BuildOutput(process.ExitCode, output.ToString());
    }

    private static void Kill(Process process, Action? onKill)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        onKill?.Invoke();
        process.WaitForExit(5000);
    }
}
