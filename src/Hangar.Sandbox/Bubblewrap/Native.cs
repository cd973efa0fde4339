using System.Runtime.InteropServices;

namespace Hangar.Sandbox.Bubblewrap;

internal static class Native
{
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    internal static extern int LChown(string path, uint owner, uint group);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    internal static extern int Flock(int fd, int operation);

    internal const int LockShared = 1;

    internal const int LockExclusive = 2;

    internal const int LockNonBlocking = 4;

    [DllImport("libc", EntryPoint = "geteuid")]
    internal static extern uint GetEuid();
}
