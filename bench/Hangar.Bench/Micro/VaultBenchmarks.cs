using BenchmarkDotNet.Attributes;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Bench.Micro;

/// <summary>
/// Sealing and opening a credential's secret fields (JSON + AES-256-GCM, <see cref="CredentialSecrets"/>):
/// an OAuth credential with access token, refresh token and client secret, as an MCP server's is.
/// </summary>
[BenchmarkCategory("vault")]
public class VaultBenchmarks
{
    private const string CredentialId = "vcrd_011111111111111111111111";

    private readonly Dictionary<string, string> _fields = new()
    {
        ["access_token"] = "ya29." + new string('a', 180),
        ["refresh_token"] = "1//" + new string('r', 100),
        ["client_secret"] = "GOCSPX-" + new string('s', 28),
    };

    private CredentialSecrets _secrets = null!;
    private SealedSecretRecord _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _secrets = new CredentialSecrets(new SecretCipher(MasterKey.Generate()));
        _sealed = Seal();
    }

    [Benchmark(Description = "seal OAuth credential secret")]
    public SealedSecretRecord Seal() =>
        _secrets.Seal("wrkspc_011111111111111111111111", "vlt_011111111111111111111111", CredentialId, _fields, DateTimeOffset.UnixEpoch);

    [Benchmark(Description = "open OAuth credential secret")]
    public int Open() => _secrets.Open(_sealed).Count;
}
