using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Hangar.Testing;

/// <summary>
/// A real <c>hangar</c> process (<c>dotnet hangar.dll …</c>) with its stdout and stderr captured,
/// so tests can wait for a line and show everything the process said when they fail.
/// </summary>
public sealed class HangarProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private HangarProcess(Process process)
    {
        _process = process;
    }

    public string Stdout { get { lock (_gate) { return _stdout.ToString(); } } }
    public string Stderr { get { lock (_gate) { return _stderr.ToString(); } } }
    public bool HasExited => _process.HasExited;

    /// <summary>The OS process id (<c>dotnet hangar.dll</c> runs the CLI in this very process).</summary>
    public int Pid => _process.Id;
    public string Transcript => $"exit: {(HasExited ? _process.ExitCode.ToString() : "running")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    /// <summary>Starts <c>hangar</c> with the given arguments; <paramref name="env"/> null values unset a variable.</summary>
    public static HangarProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HangarDll.Value);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The developer's own Hangar settings must not leak into tests.
        foreach (var name in new[] { "HANGAR_API_KEY", "HANGAR_URL", "HANGAR_DATABASE" })
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in env ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var running = new HangarProcess(process);
        process.OutputDataReceived += (_, e) => running.Append(running._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(running._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Runs a command to completion; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        await using var process = Start(args, env);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"hangar {string.Join(' ', args)} did not finish.\n{process.Transcript}");
        }
        return (process._process.ExitCode, process.Stdout, process.Stderr);
    }

    /// <summary>Waits until stdout or stderr has a match for <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForOutputAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = regex.Match(Stdout + "\n" + Stderr);
            if (match.Success)
            {
                return match;
            }
            if (HasExited)
            {
                break;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No output matching /{pattern}/ within {timeout}.\n{Transcript}");
    }

    /// <summary>Waits for the process to end by itself; null when it is still running at the deadline.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (<see cref="Signals"/>): SIGSTOP stalls the process as a long GC pause or a starved host would.</summary>
    public void Signal(int signal)
    {
        if (Signals.Kill(Pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed.\n{Transcript}");
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what is on disk is all that survives.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillHardAsync();
        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            target.AppendLine(line);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// The CLI's build output: src/Hangar.Cli/bin/&lt;configuration&gt;/net10.0/hangar.dll, built
    /// beforehand through a ProjectReference of the project that runs it (Cli tests, the benchmark).
    /// </summary>
    private static readonly Lazy<string> HangarDll = new(() =>
    {
        var configuration = typeof(HangarProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hangar.slnx")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException($"Hangar.slnx not found above {AppContext.BaseDirectory}.");
        }
        var dll = Path.Combine(dir.FullName, "src", "Hangar.Cli", "bin", configuration, "net10.0", "hangar.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build src/Hangar.Cli first.", dll);
    });
}
