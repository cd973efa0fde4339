namespace Hangar.Tools;

/// <summary>
/// Maps the paths a model uses to host paths under one workspace root, and refuses any that end up
/// outside it. The model sees the root as <see cref="SandboxRoot"/> (<c>/workspace</c>); relative
/// paths resolve against it. Every component is resolved like <c>realpath -m</c> (symlinks followed,
/// <c>..</c> applied to the real parent), so a symlink inside the workspace that points at
/// <c>/etc</c> is refused just like <c>../../etc</c>. Shared by every sandbox implementation: each
/// passes its own root directory.
/// </summary>
public sealed class WorkspacePaths
{
    /// <summary>The working directory as the model sees it.</summary>
    public const string SandboxRoot = "/workspace";

    private const int MaxSymlinkHops = 40;

    public WorkspacePaths(string hostRoot)
    {
        Directory.CreateDirectory(hostRoot);
        // The root itself may sit behind a symlink (e.g. /tmp on some hosts): compare real paths.
        HostRoot = RealPath(Path.GetFullPath(hostRoot));
    }

    /// <summary>The real (symlink-free) host directory backing <see cref="SandboxRoot"/>.</summary>
    public string HostRoot { get; }

    /// <summary>
    /// The real host path for <paramref name="path"/>, or a <see cref="ToolInputException"/> when it is
    /// empty or resolves outside the workspace. Absolute paths may be in the sandbox's view
    /// (<c>/workspace/…</c>) or the host's view of the root (what <c>pwd</c> prints in a local sandbox).
    /// </summary>
    public string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ToolInputException("path must not be empty");
        if (path.Contains('\0'))
            throw new ToolInputException("path must not contain NUL characters");

        string candidate;
        if (!path.StartsWith('/'))
            candidate = Path.Join(HostRoot, path);
        else if (path == SandboxRoot || path.StartsWith(SandboxRoot + "/", StringComparison.Ordinal))
            candidate = Path.Join(HostRoot, path[SandboxRoot.Length..]);
        else
            candidate = path; // host-absolute: allowed only if it lands inside the root

        var real = RealPath(candidate);
        if (!IsInside(real))
            throw new ToolInputException($"{path} is outside the workspace ({SandboxRoot}); file tools only work inside it");
        return real;
    }

    /// <summary>
    /// Like <see cref="Resolve"/>, for write and edit: also refuses files that would run code outside the
    /// agent's intent — git hooks (<c>.git/hooks/…</c> of any repository in the workspace, e.g. a mounted
    /// <c>github_repository</c>) and the shell start-up files in the home directory (<c>/workspace</c>).
    /// </summary>
    public string ResolveForWrite(string path)
    {
        var real = Resolve(path);
        var parts = Path.GetRelativePath(HostRoot, real).Split('/');
        for (var i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i] == ".git" && parts[i + 1] == "hooks")
                throw new ToolInputException($"{ToSandboxPath(real)} is a git hook; file tools may not write git hooks (they would run code on later git commands)");
        }
        if (parts.Length == 1 && ShellStartupFiles.Contains(parts[0]))
            throw new ToolInputException($"{ToSandboxPath(real)} is a shell start-up file; file tools may not write it (it would run code in every later shell)");
        return real;
    }

    private static readonly HashSet<string> ShellStartupFiles = [".bashrc", ".profile", ".bash_profile", ".bash_login", ".bash_logout"];

    /// <summary>The model's view of a host path under the root (<c>/workspace/a/b</c>).</summary>
    public string ToSandboxPath(string hostPath)
    {
        var relative = Path.GetRelativePath(HostRoot, hostPath);
        return relative == "." ? SandboxRoot : SandboxRoot + "/" + relative;
    }

    private bool IsInside(string realPath) =>
        realPath == HostRoot || realPath.StartsWith(HostRoot + "/", StringComparison.Ordinal);

    /// <summary>
    /// Resolves every existing symlink along <paramref name="absolutePath"/>; components that do not
    /// exist yet are taken literally (a file about to be written).
    /// </summary>
    private static string RealPath(string absolutePath)
    {
        var pending = new Stack<string>();
        PushComponents(pending, absolutePath);
        var current = "/";
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component is "" or ".")
                continue;
            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, component);
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                // Not traversable (e.g. a component under a regular file): keep it literal.
            }
            catch (UnauthorizedAccessException)
            {
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxSymlinkHops)
                throw new ToolInputException($"too many levels of symbolic links at {next}");
            PushComponents(pending, target);
            if (target.StartsWith('/'))
                current = "/";
        }
        return current;
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
            pending.Push(parts[i]);
    }
}
