using System.Runtime.Versioning;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>The generated key file is refused whenever someone else could read or swap it; PostgreSQL never gets one.</summary>
[SupportedOSPlatform("linux")]
public sealed class MasterKeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hangar-keyfile-").FullName;
    private readonly List<string> _notices = [];

    private StoreOptions Store => new(_directory);

    private SecretCipher Resolve() => MasterKeys.ForStore(Store, _notices.Add, _ => null);

    [Fact]
    public void The_first_start_generates_a_0600_key_and_says_where_it_is_once()
    {
        var first = Resolve();
        var path = Path.Combine(_directory, LocalMasterKey.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var notice = Assert.Single(_notices);
        Assert.Contains(path, notice);
        Assert.Contains("HANGAR_MASTER_KEY", notice);
        Assert.Contains("Back it up", notice);
        Assert.Equal(first.Current!.Id, Resolve().Current!.Id);
        Assert.Single(_notices);
        Assert.Empty(Directory.GetFiles(_directory, ".master.key.*"));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    public void A_key_file_others_can_read_is_refused(UnixFileMode mode)
    {
        Resolve();
        var path = Path.Combine(_directory, LocalMasterKey.FileName);
        File.SetUnixFileMode(path, mode);
        var refused = Assert.Throws<VaultKeyException>(Resolve);
        Assert.Contains(path, refused.Message);
        Assert.Contains("chmod 600", refused.Message);
    }

    [Fact]
    public void A_symlinked_key_file_is_refused_even_when_its_target_is_private()
    {
        var elsewhere = Directory.CreateTempSubdirectory("hangar-keyfile-target-").FullName;
        try
        {
            var target = Path.Combine(elsewhere, "planted.key");
            File.WriteAllText(target, MasterKey.Generate().ToBase64());
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.CreateSymbolicLink(Path.Combine(_directory, LocalMasterKey.FileName), target);
            var refused = Assert.Throws<VaultKeyException>(Resolve);
            Assert.Contains("symlink", refused.Message);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public void A_data_directory_others_can_write_is_refused()
    {
        File.SetUnixFileMode(_directory, (UnixFileMode)Convert.ToInt32("777", 8));
        var refused = Assert.Throws<VaultKeyException>(Resolve);
        Assert.Contains("writable by other users", refused.Message);
        Assert.False(File.Exists(Path.Combine(_directory, LocalMasterKey.FileName)));
    }

    [Fact]
    public void An_operator_key_wins_and_the_generated_one_still_opens_what_it_sealed()
    {
        var generated = Resolve().Current!;
        var operatorKey = MasterKey.Generate();
        var cipher = MasterKeys.ForStore(Store, _notices.Add, name => name == SecretCipher.KeyVariable ? operatorKey.ToBase64() : null);
        Assert.Equal(operatorKey.Id, cipher.Current!.Id);
        Assert.True(cipher.Knows(generated.Id));
    }

    [Fact]
    public void PostgreSQL_gets_no_generated_key_and_then_refuses_to_store_a_token()
    {
        var cipher = MasterKeys.ForStore(new StoreOptions(ConnectionString: "Host=db.invalid;Database=hangar"), _notices.Add, _ => null);
        Assert.False(cipher.HasKey);
        Assert.Contains("HANGAR_MASTER_KEY", Assert.Single(_notices));
        var refused = Assert.Throws<VaultKeyException>(() => ResourceTokens.Seal(cipher, "sesn_x", "res_x", "ghp_never-plain"));
        Assert.Contains("HANGAR_MASTER_KEY", refused.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
