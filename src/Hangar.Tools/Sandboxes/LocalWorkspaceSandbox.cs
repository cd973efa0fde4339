namespace Hangar.Tools;

/// <summary>
/// !!! NOT ISOLATED !!! Runs the built-in tools directly on the host in a plain directory. The file
/// tools stay inside that directory, but bash runs as the server's own user with full access to the
/// host's files, processes and network (only its environment variables are scrubbed). It exists
/// for development and tests where bubblewrap is not available; use it solely with trusted agents.
/// </summary>
public sealed class LocalWorkspaceSandbox : ISandbox
{
    private readonly FileTools files;
    private readonly BashSession bash;
    private int disposed;

    public LocalWorkspaceSandbox(string rootDirectory)
    {
        var paths = new WorkspacePaths(rootDirectory);
        files = new FileTools(paths);
        bash = new BashSession(paths.HostRoot);
    }

    /// <summary>The real host directory the model sees as /workspace.</summary>
    public string RootDirectory => files.Paths.HostRoot;

    public async Task<ToolResult> ExecuteAsync(ToolCall call, CancellationToken ct)
    {
        try
        {
            return await ExecuteOnceAsync(call, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && Volatile.Read(ref disposed) != 0)
        {
            throw new SandboxGoneException("The local workspace's shell was disposed.", e);
        }
    }

    private async Task<ToolResult> ExecuteOnceAsync(ToolCall call, CancellationToken ct)
    {
        if (Volatile.Read(ref disposed) != 0)
            throw new SandboxGoneException("The local workspace's shell was disposed.");
        ct.ThrowIfCancellationRequested();
        var input = new ToolInput(call.Name, call.Input);
        var result = await ToolErrors.CatchAsync(call.Name, () => call.Name switch
        {
            "bash" => bash.ExecuteAsync(input, ct),
            _ when FileTools.Names.Contains(call.Name) => files.ExecuteAsync(call.Name, input, ct),
            _ => Task.FromResult(ToolErrors.UnknownTool(call.Name)),
        });
        return await ToolOutputSpill.ApplyAsync(result, files.Paths, call.IdempotencyKey, ct);
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref disposed, 1);
        return bash.DisposeAsync();
    }
}
