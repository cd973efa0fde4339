using System.Text.RegularExpressions;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Tools;

/// <summary>
/// Hands out <see cref="LocalWorkspaceSandbox"/>es, one directory per session at
/// <c>&lt;workspacesRoot&gt;/&lt;session id&gt;</c>. !!! NOT ISOLATED !!!: tool commands run on the
/// host as the server's user; every acquisition logs a warning saying so. Temporary, until the
/// bubblewrap sandbox provider replaces it.
/// </summary>
public sealed partial class LocalWorkspaceSandboxProvider(string workspacesRoot, ILogger<LocalWorkspaceSandboxProvider> logger)
    : ISandboxProvider
{
    public Task<ISandbox> AcquireAsync(SandboxRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // The id becomes a directory name: anything but a plain id could escape the root.
        if (!SafeId().IsMatch(request.SessionId))
            throw new ArgumentException($"session id '{request.SessionId}' is not usable as a directory name", nameof(request));
        var directory = Path.Join(workspacesRoot, request.SessionId);
        Directory.CreateDirectory(directory);
        LogNotIsolated(logger, request.SessionId, directory);
        return Task.FromResult<ISandbox>(new LocalWorkspaceSandbox(directory));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Session {SessionId}: tools run in {Directory} with the LOCAL, NOT ISOLATED sandbox — bash has full access to this host as the server's user. Use only with trusted agents until the bubblewrap sandbox is available.")]
    private static partial void LogNotIsolated(ILogger logger, string sessionId, string directory);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex SafeId();
}
