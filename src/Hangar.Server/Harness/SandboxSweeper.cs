using System.Security.Cryptography;
using System.Text;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Storage;

namespace Hangar.Server.Harness;

/// <summary>
/// Ends the sandboxes of sessions that ended elsewhere: the API process that deletes or archives a
/// session may run no workers, so each worker host looks at its sandboxes at start and every
/// <see cref="WorkerSettings.SandboxSweepInterval"/>. Deleted session → sandbox stopped and workspace
/// removed; archived → sandbox stopped, workspace kept.
/// </summary>
internal sealed partial class SandboxSweeper(IHangarStore store, BubblewrapSandboxProvider provider, TimeSpan interval, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>The mark of this store on its session directories (a hash: connection strings hold passwords).</summary>
    public static string OwnerOf(StoreOptions options)
    {
        var identity = options.ConnectionString ?? "sqlite:" + Path.GetFullPath(options.DataDirectory ?? StoreOptions.DefaultDataDirectory);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stop);
                await Task.Delay(interval, time, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSweepFailed(logger, e);
                await Task.Delay(interval, time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>One pass over the sessions with a directory on disk.</summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        foreach (var sessionId in provider.SessionsOnDisk())
        {
            var session = await store.Resources.FindAsync(ResourceKind.Session, sessionId, ct);
            if (session is null)
            {
                await provider.DeleteWorkspaceAsync(sessionId, ct);
                LogDeleted(logger, sessionId);
            }
            else if (session.ArchivedAt is not null && provider.IsLive(sessionId))
            {
                await provider.ReleaseAsync(sessionId, ct);
                LogReleased(logger, sessionId);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} was deleted: its sandbox and workspace are removed")]
    private static partial void LogDeleted(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} is archived: its sandbox is stopped (workspace kept)")]
    private static partial void LogReleased(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox sweep failed; retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception error);
}
