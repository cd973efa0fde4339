namespace Hangar.Server.Tests.BadInput;

/// <summary>Building blocks of hostile bodies, as JSON text (escapes are JSON escapes, not C# ones).</summary>
public static class Hostile
{
    /// <summary>A UTF-16 high surrogate with no low one: not a Unicode scalar, unencodable as UTF-8.</summary>
    public const string LoneSurrogate = "\\ud800";

    /// <summary>A low surrogate first: also not a character.</summary>
    public const string ReversedPair = "\\udc00\\ud800";

    /// <summary>NUL: legal JSON, but PostgreSQL text and jsonb cannot store it.</summary>
    public const string Nul = "\\u0000";

    /// <summary>U+202E RIGHT-TO-LEFT OVERRIDE, the file-name spoofing character.</summary>
    public const string RtlOverride = "\\u202e";

    /// <summary>CR LF and a header after it, for values a server might echo into a header.</summary>
    public const string HeaderInjection = "x\\r\\nSet-Cookie: a=b";

    /// <summary><paramref name="depth"/> arrays nested in each other.</summary>
    public static string DeepArrays(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary><paramref name="depth"/> objects nested under key <c>a</c>.</summary>
    public static string DeepObjects(int depth) =>
        string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>A string of <paramref name="count"/> emoji: count code points, 2×count UTF-16 units, 4×count UTF-8 bytes.</summary>
    public static string Emoji(int count) => string.Concat(Enumerable.Repeat("\\ud83d\\ude00", count));

    /// <summary>Invalid UTF-8 (a lone continuation byte and an over-long NUL) inside a JSON string.</summary>
    public static byte[] InvalidUtf8(string before, string after) =>
        [.. System.Text.Encoding.UTF8.GetBytes(before), 0x80, 0xC0, 0x80, .. System.Text.Encoding.UTF8.GetBytes(after)];
}
