using System.Text.Json.Nodes;
using Hangar.Sandbox.Git;
using Hangar.Sandbox.Network;
using Hangar.Sandbox.Packages;
using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// One session's sandbox: a cgroup, a persistent bash in bwrap (started at acquisition) and, from the
/// first file tool on, a file-tool runner in a second bwrap with the same mounts and uid. Either
/// process is restarted transparently when it died; the workspace on the host persists. Disposing
/// tears it all down (the provider's ReleaseAsync does the same).
/// </summary>
public sealed class BubblewrapSandbox : ISandbox, IShellHost, ISandboxOutputs
{
    private static readonly TimeSpan FileToolTimeout = TimeSpan.FromSeconds(60);
    private readonly SandboxOptions options;
    private readonly SandboxStore store;
    private readonly ISandboxCgroup cgroup;
    private readonly EgressEndpoint? proxy;
    private readonly bool userModeNetwork;
    private readonly PackageLayer? layer;
    private readonly LayerLease? layerLease;
    private readonly Func<BubblewrapSandbox, ValueTask> onDisposed;
    private readonly SandboxShell shell;
    private readonly SemaphoreSlim runnerGate = new(1, 1);
    private ToolRunnerProcess? runner;
    private int disposed;

    internal BubblewrapSandbox(string name, SandboxOptions options, SandboxStore store, SessionLayout session, NetworkPolicy policy,
        EgressEndpoint? proxy, bool userModeNetwork, LayerLease? layer, ISandboxCgroup cgroup, Func<BubblewrapSandbox, ValueTask> onDisposed)
    {
        Name = name;
        this.userModeNetwork = userModeNetwork;
        layerLease = layer;
        this.layer = layer?.Layer;
        this.options = options;
        this.store = store;
        Session = session;
        Policy = policy;
        this.proxy = proxy;
        this.cgroup = cgroup;
        this.onDisposed = onDisposed;
        shell = new SandboxShell(this);
    }

    public string SessionId => Session.SessionId;

    /// <summary>This instance's name (<see cref="SandboxInstance"/>): its cgroup and sockets are named after it.</summary>
    public string Name { get; }

    public NetworkPolicy Policy { get; }

    /// <summary>The host directory behind /workspace (owned by the session uid; never read it as root).</summary>
    public string HostWorkspace => Session.Workspace;

    /// <summary>The host path of this instance's egress proxy socket, when it has one.</summary>
    internal string? EgressSocket => proxy?.UnixSocketPath;

    /// <summary>The host uid the sandbox's uid 1000 maps to.</summary>
    public int HostUid => Session.Uid;

    internal SessionLayout Session { get; }

    /// <summary>The host-side git credential proxy of the session's repositories (owned: disposed with the sandbox).</summary>
    internal GitCredentialProxy? GitProxy { get; init; }

    /// <summary>
    /// The session's <c>environment_variable</c> credentials as the shell's environment: name → placeholder, never the
    /// value (the egress proxy swaps placeholders for values on the way out), plus the CA bundle variables when the
    /// proxy terminates HTTPS for them (<see cref="SessionMounts.AddTrustBundle"/>).
    /// </summary>
    internal IReadOnlyDictionary<string, string> SecretPlaceholders { get; init; } = new Dictionary<string, string>();

    /// <summary>The environment's package layer mounted at /opt/env, if it has packages.</summary>
    public PackageLayer? Layer => layer;

    public SandboxLimits Limits => options.Limits;

    internal void Start() => shell.EnsureStarted();

    /// <summary>The host side of /mnt/session/outputs (beside the workspace), read without following links.</summary>
    public IEnumerable<SandboxOutput> ReadOutputs(OutputLimits limits) =>
        OutputsReader.Read(Path.Join(Session.Directory, "outputs"), limits);

    public async Task<ToolResult> ExecuteAsync(ToolCall call, CancellationToken ct)
    {
        ThrowIfGone();
        try
        {
            var result = await ExecuteOnceAsync(call, ct);
            // Taken over mid-call: the result (a killed command) is the takeover's doing, not the tool's.
            ThrowIfGone();
            return result;
        }
        catch (Exception e) when (e is not SandboxGoneException and not OperationCanceledException && Volatile.Read(ref disposed) != 0)
        {
            // Torn down under the call (release, lost lease, shutdown): whatever broke is a symptom of that.
            throw new SandboxGoneException($"The sandbox of {SessionId} was torn down during the call.", e);
        }
    }

    private void ThrowIfGone()
    {
        if (Volatile.Read(ref disposed) != 0)
            throw new SandboxGoneException($"The sandbox of {SessionId} was torn down.");
        if (!WorkspaceOwnership.IsOwner(Session, Name))
            throw new SandboxGoneException($"Another sandbox instance took over the workspace of {SessionId}.");
    }

    /// <summary>
    /// Starts a sandbox process only while this instance owns the workspace, and checks again once it runs:
    /// a takeover between the two kills it here (the new owner's kill may have come before it joined the cgroup).
    /// </summary>
    private T StartOwned<T>(Func<T> start, Action<T> kill)
    {
        ThrowIfGone();
        var started = start();
        try
        {
            ThrowIfGone();
            return started;
        }
        catch (SandboxGoneException)
        {
            kill(started);
            cgroup.KillAll();
            throw;
        }
    }

    private async Task<ToolResult> ExecuteOnceAsync(ToolCall call, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var fileTool = FileTools.Names.Contains(call.Name);
        var result = await ToolErrors.CatchAsync(call.Name, () => call.Name switch
        {
            "bash" => shell.ExecuteAsync(new ToolInput(call.Name, call.Input), ct),
            _ when fileTool => RunnerCallAsync(new JsonObject { ["name"] = call.Name, ["input"] = call.Input.DeepClone(), ["key"] = call.IdempotencyKey }, ct),
            _ => Task.FromResult(ToolErrors.UnknownTool(call.Name)),
        });
        // The runner spills file-tool output itself.
        if (fileTool || !ToolOutputSpill.Exceeds(result))
            return result;
        // Long output goes to a file in the workspace, written by the runner as the sandbox user.
        return await RunnerCallAsync(new JsonObject
        {
            ["name"] = "spill",
            ["result"] = new JsonObject { ["content"] = result.Content.DeepClone(), ["is_error"] = result.IsError },
            ["key"] = call.IdempotencyKey,
        }, ct);
    }

    private async Task<ToolResult> RunnerCallAsync(JsonObject request, CancellationToken ct)
    {
        await runnerGate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (runner is null || runner.HasExited)
                {
                    runner?.Dispose();
                    runner = StartOwned(() => ToolRunnerProcess.Start(BwrapCommand.Build(options, store, Session, cgroup,
                        new SandboxProgram(BwrapCommand.RunnerCommand(), MountRunner: true, Layer: layer))), r => r.Dispose());
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(FileToolTimeout);
                try
                {
                    return await runner.CallAsync(request, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    KillRunner(); // mid-request: its answer would desynchronise the next call
                    ct.ThrowIfCancellationRequested();
                    return ToolResult.Text($"{request["name"]}: timed out after {FileToolTimeout.TotalSeconds:0} s", isError: true);
                }
                catch (IOException e)
                {
                    KillRunner();
                    if (attempt >= 2)
                        return ToolResult.Text($"{request["name"]}: the sandbox could not run the tool ({e.Message})", isError: true);
                }
            }
        }
        finally
        {
            runnerGate.Release();
        }
    }

    private void KillRunner()
    {
        Interlocked.Exchange(ref runner, null)?.Dispose();
    }

    (ShellProcess Shell, StderrTail Stderr, IDisposable? Network) IShellHost.StartShell()
    {
        // The shell gets the layer's PATH and variables; the runner only its mount (no LD_LIBRARY_PATH under dotnet).
        var program = (proxy, userModeNetwork) switch
        {
            ({ } p, _) => new SandboxProgram(BwrapCommand.ShellBehindRelay(), p.UnixSocketPath, Layer: layer, LayerEnvironment: true),
            (null, true) => new SandboxProgram(BwrapCommand.ShellBehindSlirp(), Layer: layer, LayerEnvironment: true, UserModeNetwork: true),
            _ => new SandboxProgram(BwrapCommand.Shell, Layer: layer, LayerEnvironment: true),
        };
        if (GitProxy is { } git)
            program = program with { Command = BwrapCommand.BehindGitRelay(program.Command), GitSocket = git.SocketPath };
        if (SecretPlaceholders.Count > 0)
            program = program with { Environment = SecretPlaceholders };
        var started = StartOwned(() => ShellProcess.Start(BwrapCommand.Build(options, store, Session, cgroup, program), LauncherThread.Start), s => s.Dispose());
        var network = userModeNetwork && proxy is null ? SlirpNetwork.Attach(options.Slirp4netnsPath, started.Process) : null;
        return (started, StderrTail.Attach(started.Process), network);
    }

    LimitHits IShellHost.ReadHits() => cgroup.ReadHits();

    void IShellHost.StopAll() => StopProcesses();

    string? IShellHost.CheckWorkspace()
    {
        // A hard quota: the command got ENOSPC itself; say in plain words why and what to do.
        if (Session.Disk is { } disk)
        {
            var space = new DriveInfo(disk.MountPoint);
            return space.AvailableFreeSpace < Math.Max(1L << 20, space.TotalSize / 1000) ? $"[{ToolErrors.DiskFull(space.TotalSize)}]" : null;
        }
        var used = WorkspaceUsage.Measure(Session.Workspace);
        return used <= options.Limits.WorkspaceBytes
            ? null
            : $"[disk limit: /workspace uses {used >> 20} MiB, over its limit of {options.Limits.WorkspaceBytes >> 20} MiB; delete files before writing more]";
    }

    private void StopProcesses()
    {
        shell.Stop();
        KillRunner();
        cgroup.KillAll();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        StopProcesses();
        cgroup.Delete();
        if (GitProxy is not null)
            await GitProxy.DisposeAsync();
        // Last: nothing of this instance uses the disk any more (it stays mounted for the session's next instance).
        Session.Disk?.Dispose();
        layerLease?.Dispose();
        await onDisposed(this);
    }
}
