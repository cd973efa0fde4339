namespace Hangar.Vault;

/// <summary>
/// The master key Hangar generates for the embedded SQLite store when the operator set none: 32 random bytes,
/// base64, in <c>master.key</c> (mode 0600) in the data directory, so a single-host install never stores a secret
/// in plaintext and needs no setup. Every process on that data directory (server, workers, <c>hangar vault</c>)
/// reads the same file. The file is refused when it, or its directory, could be read or swapped by another user.
/// </summary>
public static class LocalMasterKey
{
    public const string FileName = "master.key";

    /// <summary>The key in <paramref name="dataDirectory"/>, created on first use; <c>Created</c> is true only for the call that wrote it.</summary>
    public static (MasterKey Key, string Path, bool Created) LoadOrCreate(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
            throw new VaultKeyException($"Hangar generates a master key only on Linux; {SecretCipher.SetKeyHint}.");
        var directory = Path.GetFullPath(dataDirectory);
        // Created as the store would create it (umask mode): sandboxes under it need other users to traverse it, and
        // the key file itself is 0600. What matters is that no one else can write the directory (checked next).
        Directory.CreateDirectory(directory);
        PrivateKeyPath.CheckDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName);
        if (PrivateKeyPath.CheckFile(path))
            return (Read(path), path, false);
        var created = TryCreate(directory, path);
        // Another process on the same data directory may have won the race: whichever file is there now is the key.
        PrivateKeyPath.CheckFile(path);
        return (Read(path), path, created);
    }

    /// <summary>
    /// Writes a fresh key to a private temporary file, then links it into place without replacing an existing
    /// one (<see cref="File.Move(string, string, bool)"/> without overwrite links, then unlinks), so a reader
    /// never sees a half-written key and two starting processes cannot end up with different keys.
    /// </summary>
    private static bool TryCreate(string directory, string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        var temporary = System.IO.Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}");
        var key = MasterKey.Generate();
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(key.ToBase64() + "\n");
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static MasterKey Read(string path)
    {
        try
        {
            return MasterKey.Parse(File.ReadAllText(path), $"The master key file {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultKeyException($"Cannot read the master key file {path}: {e.Message}");
        }
    }
}
