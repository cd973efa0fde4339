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

    /// <summary>An explicit flock(LOCK_NB), shared or exclusive, held until the stream is disposed; null when another holds it.</summary>
    public static FileStream? TryLock(string path, bool exclusive)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (IOException)
        {
            return null; // .NET's own advisory LOCK_SH at open already met another holder's exclusive lock
        }
        var operation = (exclusive ? Native.LockExclusive : Native.LockShared) | Native.LockNonBlocking;
        if (Native.Flock((int)file.SafeFileHandle.DangerousGetHandle(), operation) == 0)
            return file;
        file.Dispose();
        return null;
    }
}
