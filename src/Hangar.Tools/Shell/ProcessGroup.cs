using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Hangar.Tools;

/// <summary>
/// Killing a shell and everything it started. The shell runs as a session leader (started via
/// <c>setsid</c>), so its pid is its process group id and one <c>kill(-pgid, SIGKILL)</c> reaches
/// pipelines and background jobs too; the tree kill catches anything that changed group.
/// </summary>
internal static class ProcessGroup
{
    private const int SigKill = 9;

    public static void KillAll(Process process)
    {
        try
        {
            if (process.HasExited)
                return;
            _ = Kill(-process.Id, SigKill);
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
