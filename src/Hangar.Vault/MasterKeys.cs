using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// Which master keys a process uses for a store (docs/security.md, "Encryption at rest"). The operator's key
/// (<c>HANGAR_MASTER_KEY</c>/<c>_FILE</c>) always wins. Without one, the embedded SQLite store gets a key
/// generated once into its data directory (<see cref="LocalMasterKey"/>). PostgreSQL gets none: its processes
/// may run on several hosts and must share one key, which Hangar cannot hand out safely, so the operator
/// supplies it — until then secrets are refused when stored (a 400 that says what to set), never kept in plaintext.
/// </summary>
public static class MasterKeys
{
    public static SecretCipher ForStore(StoreOptions store, Action<string> notice, Func<string, string?>? variable = null)
    {
        var configured = SecretCipher.FromEnvironment(variable);
        if (store.ConnectionString is not null)
        {
            if (!configured.HasKey)
            {
                notice($"No master key: vault credentials and repository tokens cannot be stored in this PostgreSQL database until every "
                    + $"server and worker gets the same key; {SecretCipher.SetKeyHint}.");
            }
            return configured;
        }
        var dataDirectory = store.DataDirectory ?? StoreOptions.DefaultDataDirectory;
        if (configured.HasKey)
        {
            // A key generated earlier still opens what it sealed, so moving to an operator key takes only `hangar vault rotate-key`.
            var generated = Path.Combine(Path.GetFullPath(dataDirectory), LocalMasterKey.FileName);
            return Directory.Exists(dataDirectory) && PrivateKeyPath.CheckFile(generated)
                ? configured.Accepting(LocalMasterKey.LoadOrCreate(dataDirectory).Key)
                : configured;
        }
        var (key, path, created) = LocalMasterKey.LoadOrCreate(dataDirectory);
        if (created)
        {
            notice($"Generated a master key for vault secrets and repository tokens: {path} (mode 0600). Back it up apart from the "
                + $"database: without it the stored secrets cannot be read. To use your own key instead, set {SecretCipher.KeyVariable} "
                + "(or _FILE) and run `hangar vault rotate-key` (docs/security.md, \"Rotating the master key\").");
        }
        return new SecretCipher(key);
    }
}
