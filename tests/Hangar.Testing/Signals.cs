using System.Runtime.InteropServices;

namespace Hangar.Testing;

/// <summary>POSIX kill(2): to stop a test cluster's postmaster, or to stall (SIGSTOP) and wake a worker, without spawning a process.</summary>
public static class Signals
{
    public const int Quit = 3;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    [DllImport("libc", EntryPoint = "kill")]
    public static extern int Kill(int pid, int signal);
}
