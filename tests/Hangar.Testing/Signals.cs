using System.Runtime.InteropServices;

namespace Hangar.Testing;

/// <summary>POSIX kill(2), to stop a test cluster's postmaster without spawning a process.</summary>
internal static class Signals
{
    public const int Quit = 3;

    [DllImport("libc", EntryPoint = "kill")]
    public static extern int Kill(int pid, int signal);
}
