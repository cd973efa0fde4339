using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Packages;
using Hangar.Tools;

namespace Hangar.Sandbox.Git;

/// <summary>
/// Clones the session's repositories at sandbox creation: <c>git clone</c> runs INSIDE a one-shot sandbox as the
/// session user (the host never runs git on sandbox-writable paths), against the token-free relay URL
/// <c>http://127.0.0.1:3129/&lt;key&gt;</c> served by <see cref="GitCredentialProxy"/>. A repository already cloned
/// (a rebuild, a server restart) is left as the agent left it. Mount paths outside /workspace get a
/// session-owned host directory bound writable there, so they survive rebuilds too.
/// </summary>
internal static class RepositoryClone
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    // Exit status when the clone worked but the wanted branch or commit is not in it.
    private const int CheckoutFailed = 42;

    // $1 destination, $2 remote, $3 checkout type (branch|commit|default), $4 branch name or sha.
    // The branch is checked out after a plain clone (not `clone --branch`) so a missing branch is
    // told apart from a failed clone.
    private const string Script = """
        set -e
        if [ -e "$1/.git" ]; then exit 0; fi
        git clone --quiet -- "$2" "$1"
        if [ "$3" = branch ]; then git -C "$1" checkout --quiet "$4" || exit 42; fi
        if [ "$3" = commit ]; then git -C "$1" -c advice.detachedHead=false checkout --quiet "$4" || exit 42; fi
        """;

    /// <summary>Refuses unusable mount paths and adds the binds for repositories mounted outside /workspace.</summary>
    public static SessionLayout PrepareMounts(SessionLayout session, IReadOnlyList<SandboxRepository> repositories)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("bubblewrap sandboxes need Linux");
        var mounts = session.Mounts.ToList();
        foreach (var repository in repositories)
        {
            if (!repository.Key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || repository.Key.Length == 0)
                throw new SandboxProvisioningException($"The repository {repository.Url} has an unusable resource id.");
            if (SessionMounts.Refusal(repository.MountPath) is { } refusal)
                throw new SandboxProvisioningException($"The repository {repository.Url} cannot be cloned at {repository.MountPath}: {refusal}.");
            if (repository.MountPath.StartsWith("/workspace/", StringComparison.Ordinal))
                continue;
            var host = Path.Join(session.Directory, "repos", repository.Key);
            if (!Directory.Exists(host))
            {
                Directory.CreateDirectory(host);
                if (Native.LChown(host, (uint)session.Uid, (uint)session.Uid) != 0)
                    throw new IOException($"chown {host} to {session.Uid} failed; the server must run as root");
                File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            mounts.Add(new BindMount(host, repository.MountPath, ReadOnly: false));
        }
        return session with { Mounts = mounts };
    }

    public static async Task CloneAsync(SandboxOptions options, SandboxStore store, SessionLayout session, ISandboxCgroup cgroup,
        GitCredentialProxy proxy, IReadOnlyList<SandboxRepository> repositories, CancellationToken ct)
    {
        foreach (var repository in repositories)
        {
            var (kind, value) = repository.Checkout is { } c ? (c.Type, c.Value) : ("default", "");
            var program = new SandboxProgram(BwrapCommand.BehindGitRelay(
                ["/bin/bash", "--noprofile", "--norc", "-c", Script, "sbx-clone", repository.MountPath, $"{BwrapCommand.GitRemoteBase}/{repository.Key}", kind, value]))
            { GitSocket = proxy.SocketPath };
            var output = await BuildProcess.RunAsync(BwrapCommand.Build(options, store, session, cgroup, program), Timeout, cgroup.KillAll, ct);
            if (output.Succeeded)
                continue;
            var failure = proxy.LastFailure(repository.Key);
            var hint = failure is null ? "" : $" ({failure}{(failure.Contains("401", StringComparison.Ordinal)
                ? repository.Token is null ? ": the repository needs an authorization_token" : ": check the resource's authorization_token"
                : "")})";
            var errorType = output.ExitCode == CheckoutFailed
                ? RepositoryProvisioningException.Checkout
                : proxy.LastFailedStatus(repository.Key) switch
                {
                    401 => RepositoryProvisioningException.Authentication,
                    403 => RepositoryProvisioningException.Forbidden,
                    404 => RepositoryProvisioningException.NotFound,
                    _ => RepositoryProvisioningException.Clone,
                };
            var what = errorType == RepositoryProvisioningException.Checkout
                ? $"Checking out {kind} {value} of the repository {repository.Url} failed (it has no such {kind})"
                : $"Cloning the repository {repository.Url} into {repository.MountPath} failed{hint}";
            throw new RepositoryProvisioningException(errorType, repository.Url, $"{what}: {output.Reason("git clone")}");
        }
    }
}
