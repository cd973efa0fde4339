using System.Security.Cryptography;

namespace Hangar.FakeModel;

/// <summary>Identifiers shaped like Anthropic's (<c>msg_…</c>, <c>toolu_…</c>, <c>req_…</c>).</summary>
public static class FakeIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Message() => "msg_" + Random(24);

    public static string ToolUse() => "toolu_" + Random(24);

    public static string Request() => "req_" + Random(24);

    public static string Signature() => "sig_" + Random(40);

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
