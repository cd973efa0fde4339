using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Log;
using Hangar.Storage;
using Hangar.Tools;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Turns;

/// <summary>
/// When a turn ends, what the agent left under <c>/mnt/session/outputs/</c> becomes Files scoped to the session
/// (<c>GET /v1/files?scope_id=sesn_…</c>, deleted with the session). A file is stored again only when its bytes
/// changed: each stored output carries a unique name derived from session, path and content hash, so an
/// unchanged file (or a second worker capturing the same turn) finds its name taken and adds nothing.
/// Files over the limits, links and anything unreadable are skipped and logged; capture never fails a turn.
/// </summary>
public sealed partial class SessionOutputs(IHangarStore store, OutputLimits limits, TimeProvider time, ILogger logger)
{
    public const string Directory = "/mnt/session/outputs";

    /// <summary>Captures <paramref name="sandbox"/>'s outputs for the lease's session; a sandbox without outputs is a no-op.</summary>
    public async Task CaptureAsync(SessionLease lease, ISandbox? sandbox, CancellationToken ct)
    {
        if (sandbox is not ISandboxOutputs outputs)
        {
            return;
        }
        try
        {
            var stored = await StoredNamesAsync(lease, ct);
            foreach (var output in outputs.ReadOutputs(limits))
            {
                if (output.Bytes is not { } bytes)
                {
                    LogSkipped(logger, lease.SessionId, output.Path, output.Skipped ?? "unreadable");
                    continue;
                }
                var name = UniqueName(lease.SessionId, output.Path, bytes);
                if (stored.Add(name))
                {
                    await StoreAsync(lease, output.Path, bytes, name, ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, lease.SessionId, e);
        }
    }

    private async Task<HashSet<string>> StoredNamesAsync(SessionLease lease, CancellationToken ct)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await store.Resources.ListAsync(ResourceKind.File, lease.WorkspaceId,
                new ResourceQuery(1000, after) { ScopeId = lease.SessionId }, ct);
            names.UnionWith(page.Items.Select(r => r.UniqueName).OfType<string>());
            if (!page.HasMore || page.Items.Count == 0)
            {
                return names;
            }
            after = page.Items[^1].Id;
        }
    }

    private async Task StoreAsync(SessionLease lease, string path, byte[] bytes, string uniqueName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.File, now);
        var filename = Filename(path);
        var file = new JsonObject
        {
            ["type"] = "file",
            ["id"] = id,
            ["filename"] = filename,
            ["mime_type"] = OutputMediaTypes.Of(filename),
            ["size_bytes"] = bytes.LongLength,
            ["created_at"] = HarnessEvents.Timestamp(now),
            ["downloadable"] = true,
            ["expires_at"] = null,
            ["scope"] = new JsonObject { ["type"] = "session", ["id"] = lease.SessionId },
        };
        await store.FileContents.PutAsync(new FileContent(lease.WorkspaceId, id, bytes), ct);
        try
        {
            await store.Resources.InsertAsync(
                new ResourceRecord(ResourceKind.File, lease.WorkspaceId, id, file.ToJsonString(), 1, now, null, uniqueName), ct);
        }
        catch (Exception e) when (e is DuplicateNameException)
        {
            // Another capture of the same bytes won; drop this copy's content.
            await store.Resources.DeleteAsync(ResourceKind.File, lease.WorkspaceId, id, CancellationToken.None);
        }
    }

    /// <summary>
    /// The File's name: the path under the outputs directory, each segment stripped of control characters and
    /// backslashes (a name is shown and saved by clients; it must not smuggle terminal escapes or separators).
    /// </summary>
    public static string Filename(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            builder.Append(char.IsControl(c) || c == '\\' ? '_' : c);
        }
        var name = builder.ToString().Trim('/');
        return name.Length switch
        {
            0 => "output",
            > 255 => name[^255..],
            _ => name,
        };
    }

    private static string UniqueName(string sessionId, string path, byte[] bytes) =>
        "output:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{sessionId}\n{path}\n{Convert.ToHexStringLower(SHA256.HashData(bytes))}")));

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "Session {SessionId}: output '{Path}' was not captured: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string sessionId, string path, string reason);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "Session {SessionId}: capturing outputs failed")]
    private static partial void LogFailed(ILogger logger, string sessionId, Exception error);
}
