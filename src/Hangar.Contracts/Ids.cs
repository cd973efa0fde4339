using System.Numerics;
using System.Security.Cryptography;

namespace Hangar.Contracts;

/// <summary>
/// Resource ids shaped like the hosted service's: <c>prefix + "01" + 22 base58 chars</c>.
/// The 22 chars encode a 128-bit number (48-bit Unix milliseconds, then 80 random bits) at a
/// fixed width; base58's alphabet is in ASCII order, so ids sort by creation time as strings.
/// Ids made in the same millisecond by one process keep increasing (the random part is bumped).
/// </summary>
public static class Ids
{
    public const string Agent = "agent_";
    public const string Environment = "env_";
    public const string Session = "sesn_";
    public const string Event = "sevt_";
    public const string SessionResource = "sesrsc_";
    public const string File = "file_";
    public const string Request = "req_";
    public const string Vault = "vlt_";
    public const string VaultCredential = "vcrd_";
    /// <summary>A credential audit entry (a Hangar extension; the hosted API has none).</summary>
    public const string CredentialAudit = "vaudit_";
    public const string Workspace = "wrkspc_";

    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int Width = 22;
    private static readonly Lock Gate = new();
    private static BigInteger _last;

    public static string New(string prefix) => New(prefix, DateTimeOffset.UtcNow);

    public static string New(string prefix, DateTimeOffset now)
    {
        var random = new BigInteger(RandomNumberGenerator.GetBytes(10), isUnsigned: true);
        var value = (new BigInteger(now.ToUnixTimeMilliseconds()) << 80) | random;
        lock (Gate)
        {
            if (value <= _last)
            {
                value = _last + 1;
            }
            _last = value;
        }
        return prefix + "01" + Encode(value);
    }

    /// <summary>True when <paramref name="id"/> has the prefix and the exact shape of a Hangar id.</summary>
    public static bool IsWellFormed(string? id, string prefix)
    {
        if (id is null || id.Length != prefix.Length + 2 + Width || !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        if (!id.AsSpan(prefix.Length, 2).SequenceEqual("01"))
        {
            return false;
        }
        foreach (var c in id.AsSpan(prefix.Length + 2))
        {
            if (!Alphabet.Contains(c))
            {
                return false;
            }
        }
        return true;
    }

    private static string Encode(BigInteger value)
    {
        Span<char> chars = stackalloc char[Width];
        for (var i = Width - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 58)];
            value /= 58;
        }
        return new string(chars);
    }
}
