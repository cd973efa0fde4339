using System.Security.Cryptography;
using System.Text;

namespace Hangar.Storage;

/// <summary>
/// API keys: 256 random bits, shown once, stored only as a SHA-256 hash. A fast hash is right
/// here (unlike passwords) because the key space is far too large to guess.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "hgr_";

    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
