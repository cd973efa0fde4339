using System.Text;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

public sealed class SecretCipherTests
{
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes("tok-123");

    [Fact]
    public void Round_trip_records_the_key_id()
    {
        var key = MasterKey.Generate();
        var cipher = new SecretCipher(key);
        var sealedSecret = cipher.Seal("vcrd_a", Plain);
        Assert.Equal(key.Id, sealedSecret.KeyId);
        Assert.Matches("^[0-9a-f]{8}$", sealedSecret.KeyId);
        Assert.Equal(Plain, cipher.Open("vcrd_a", sealedSecret));
        Assert.NotEqual(sealedSecret.Nonce, cipher.Seal("vcrd_a", Plain).Nonce);
    }

    [Fact]
    public void Tampered_ciphertext_or_another_credentials_id_fails()
    {
        var cipher = new SecretCipher(MasterKey.Generate());
        var sealedSecret = cipher.Seal("vcrd_a", Plain);
        var tampered = sealedSecret with { Ciphertext = [.. sealedSecret.Ciphertext] };
        tampered.Ciphertext[0] ^= 1;
        Assert.Throws<SecretUnreadableException>(() => cipher.Open("vcrd_a", tampered));
        Assert.Throws<SecretUnreadableException>(() => cipher.Open("vcrd_b", sealedSecret));
        Assert.Throws<SecretUnreadableException>(() => new SecretCipher(MasterKey.Generate()).Open("vcrd_a", sealedSecret));
    }

    [Fact]
    public void Keys_come_from_the_environment_or_a_file_and_bad_ones_are_refused()
    {
        var key = MasterKey.Generate();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, key.ToBase64() + "\n");
            var fromFile = SecretCipher.FromEnvironment(name => name == SecretCipher.KeyFileVariable ? file : null);
            Assert.Equal(key.Id, fromFile.Current!.Id);
        }
        finally
        {
            File.Delete(file);
        }
        Assert.False(SecretCipher.FromEnvironment(_ => null).HasKey);
        var error = Assert.Throws<VaultKeyException>(() => SecretCipher.FromEnvironment(n => n == SecretCipher.KeyVariable ? "c2hvcnQ=" : null));
        Assert.Contains("32 bytes", error.Message);
        Assert.Throws<SecretUnreadableException>(() => new SecretCipher(null).Open("vcrd_a", new SealedSecret("00000000", new byte[12], new byte[20])));
        Assert.Throws<VaultKeyException>(() => new SecretCipher(null).Seal("vcrd_a", Plain));
    }

    [Fact]
    public async Task Rotation_reseals_every_secret_under_the_new_key_and_the_old_key_can_go()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hangar-rotate-" + Guid.NewGuid().ToString("N"));
        try
        {
            var old = MasterKey.Generate();
            var next = MasterKey.Generate();
            var ct = CancellationToken.None;
            await using (var store = await HangarStore.OpenAsync(new StoreOptions(directory), ct))
            {
                var ws = await store.Workspaces.EnsureAsync("w", ct);
                var secrets = new CredentialSecrets(new SecretCipher(old));
                for (var i = 0; i < 3; i++)
                {
                    var id = Hangar.Contracts.Ids.New(Hangar.Contracts.Ids.VaultCredential);
                    await store.Vaults.CreateCredentialAsync(
                        new ResourceRecord(ResourceKind.VaultCredential, ws, id, """{"vault_id":"vlt_x"}""", 1, DateTimeOffset.UtcNow, null),
                        secrets.Seal(ws, "vlt_x", id, new Dictionary<string, string> { ["token"] = $"tok-{i}" }, DateTimeOffset.UtcNow), ct);
                }

                // The new key alone can't open the old secrets: start-up refuses, naming the key id.
                var refused = await Assert.ThrowsAsync<VaultKeyException>(() => VaultStartup.CheckAsync(store.Vaults, new SecretCipher(next), ct));
                Assert.Contains(old.Id, refused.Message);
                await Assert.ThrowsAsync<VaultKeyException>(() => VaultStartup.CheckAsync(store.Vaults, new SecretCipher(null), ct));

                var result = await KeyRotation.RotateAsync(store, new SecretCipher(next, old), TimeProvider.System, ct);
                Assert.Equal(new KeyRotation.Result(3, 0, 0), result);
                Assert.Equal(new KeyRotation.Result(0, 3, 0), await KeyRotation.RotateAsync(store, new SecretCipher(next, old), TimeProvider.System, ct));

                // Previous key dropped: everything still opens with the new key alone.
                await VaultStartup.CheckAsync(store.Vaults, new SecretCipher(next), ct);
                var opened = new CredentialSecrets(new SecretCipher(next));
                var all = await store.Vaults.ListSecretsAsync(null, 100, ct);
                Assert.All(all, s => Assert.Equal(next.Id, s.KeyId));
                Assert.Equal(["tok-0", "tok-1", "tok-2"], all.Select(s => opened.Open(s)["token"]).Order());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
