using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// The sandbox's file-tool runner (Hangar.Sandbox.ToolRunner under the sandbox's dotnet), one JSON
/// line per request and response. It runs in its own bwrap with the same mounts, uid and cgroup as the
/// shell but no network, so a bash timeout (which kills the shell's sandbox) does not cost its start-up.
/// </summary>
internal sealed class ToolRunnerProcess : IDisposable
{
    private readonly Process process;
    private readonly StderrTail stderr;

    private ToolRunnerProcess(Process process)
    {
        this.process = process;
        stderr = StderrTail.Attach(process);
    }

    public bool HasExited => process.HasExited;

    public static ToolRunnerProcess Start(ProcessStartInfo start)
    {
        var process = LauncherThread.Start(start) ?? throw new InvalidOperationException("could not start the sandbox tool runner");
        process.StandardInput.AutoFlush = true;
        return new ToolRunnerProcess(process);
    }

    /// <summary>Sends one request; throws <see cref="IOException"/> when the runner is gone.</summary>
    public async Task<ToolResult> CallAsync(JsonObject request, CancellationToken ct)
    {
        await process.StandardInput.WriteLineAsync(request.ToJsonString().AsMemory(), ct);
        var line = await process.StandardOutput.ReadLineAsync(ct);
        if (line is null)
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw new IOException($"the sandbox tool runner exited{(process.HasExited ? $" with code {process.ExitCode}" : "")}: {stderr}".TrimEnd(' ', ':'));
        }
        var response = JsonNode.Parse(line)!.AsObject();
        return new ToolResult(response["content"]!.AsArray().DeepClone().AsArray(), response["is_error"]!.GetValue<bool>());
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}
