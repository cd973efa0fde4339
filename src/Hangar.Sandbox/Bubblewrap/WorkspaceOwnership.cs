using System.Text.Json;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Which sandbox instance owns a session's workspace on this host: <c>&lt;session dir&gt;/owner.json</c>
/// names the instance and its cgroup. Only the session's lease holder acquires a sandbox, so a new
/// instance <see cref="TakeOver">takes over</see> unconditionally: it records itself first, then kills
/// every process still running in the previous owner's cgroup (a worker that lost the lease, perhaps
/// stalled, whose command would otherwise keep writing to the workspace). The previous owner checks
/// <see cref="IsOwner"/> before and after it starts a process and gives up when it is no longer the owner,
/// so after a takeover it never runs anything in the workspace again, whatever it does when it wakes.
/// </summary>
internal static class WorkspaceOwnership
{
    private const string FileName = "owner.json";

    /// <summary>Makes <paramref name="instance"/> the owner; returns how many processes of the previous owner were killed.</summary>
    public static int TakeOver(SessionLayout session, string instance, ISandboxCgroup cgroup)
    {
        var previous = Read(session);
        var record = new OwnerRecord(instance, Environment.ProcessId, [.. cgroup.ProcsFiles]);
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

/// <summary>The owner of a workspace: its instance name, host process (for diagnostics) and cgroup <c>procs</c> files.</summary>
internal sealed record OwnerRecord(string Instance, int Pid, string[] ProcsFiles);

[System.Text.Json.Serialization.JsonSerializable(typeof(OwnerRecord))]
internal sealed partial class OwnerRecordJson : System.Text.Json.Serialization.JsonSerializerContext;
