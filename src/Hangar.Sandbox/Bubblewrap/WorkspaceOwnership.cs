using System.Text.Json;
using Hangar.Tools;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Which sandbox instance owns a session's workspace on this host: <c>&lt;session dir&gt;/owner.json</c>
/// names the instance, the lease epoch it was acquired under and its cgroup. The record is fenced like the
/// log: a new instance <see cref="TakeOver">takes over</see> only with an epoch at least the recorded one
/// (a worker that lost the lease and has not noticed yet cannot evict the new holder's sandbox); it records
/// itself first, then kills every process still running in the previous owner's cgroup (the stale worker's
/// command would otherwise keep writing to the workspace). The previous owner checks
/// <see cref="IsOwner"/> before and after it starts a process and gives up when it is no longer the owner,
/// so after a takeover it never runs anything in the workspace again, whatever it does when it wakes.
/// </summary>
internal static class WorkspaceOwnership
{
    private const string FileName = "owner.json";

    /// <summary>
    /// Makes <paramref name="instance"/> (acquired under lease <paramref name="epoch"/>) the owner; returns how
    /// many processes of the previous owner were killed. Throws <see cref="SandboxGoneException"/> when a newer
    /// lease already owns the workspace.
    /// </summary>
    public static int TakeOver(SessionLayout session, string instance, long epoch, ISandboxCgroup cgroup)
    {
        // One takeover at a time per session on this host: the compare and the write are one step.
        using var hostLock = HostFileLock.Acquire(Path.Join(session.Directory, "owner.lock"));
        var previous = Read(session);
        if (previous is not null && previous.Epoch > epoch)
            throw new SandboxGoneException(
                $"The workspace of {session.SessionId} belongs to a newer lease (epoch {previous.Epoch}) than this one ({epoch}).");
        var record = new OwnerRecord(instance, epoch, Environment.ProcessId, [.. cgroup.ProcsFiles]);
        var temporary = Path.Join(session.Directory, $".{FileName}.{instance}");
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, OwnerRecordJson.Default.OwnerRecord));
        File.Move(temporary, Path.Join(session.Directory, FileName), overwrite: true);
        if (previous is null || previous.Instance == instance)
            return 0;
        var killed = 0;
        foreach (var procs in previous.ProcsFiles)
            killed += CountPids(procs);
        foreach (var procs in previous.ProcsFiles)
            CgroupHost.KillPids(procs);
        return killed;
    }

    /// <summary>Whether <paramref name="instance"/> is still the recorded owner (false once a newer instance took over).</summary>
    public static bool IsOwner(SessionLayout session, string instance) => Read(session)?.Instance is not { } owner || owner == instance;

    private static OwnerRecord? Read(SessionLayout session)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Join(session.Directory, FileName)), OwnerRecordJson.Default.OwnerRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or JsonException)
        {
            return null;
        }
    }

    private static int CountPids(string procsFile)
    {
        try
        {
            return File.ReadAllLines(procsFile).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>The owner of a workspace: its instance name, lease epoch, host process (for diagnostics) and cgroup <c>procs</c> files.</summary>
internal sealed record OwnerRecord(string Instance, long Epoch, int Pid, string[] ProcsFiles);

[System.Text.Json.Serialization.JsonSerializable(typeof(OwnerRecord))]
internal sealed partial class OwnerRecordJson : System.Text.Json.Serialization.JsonSerializerContext;
