namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// An exclusive <c>flock</c> on a file, shared by every process on the host (several workers may share one
/// sandbox root), held until disposed. flock, not FileShare: the lock must be explicit and blocking.
/// </summary>
internal static class HostFileLock
{
    public static FileStream Acquire(string path)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (Native.Flock((int)file.SafeFileHandle.DangerousGetHandle(), Native.LockExclusive) == 0)
            return file;
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        file.Dispose();
        throw new IOException($"locking {path} failed (errno {errno})");
    }
}
