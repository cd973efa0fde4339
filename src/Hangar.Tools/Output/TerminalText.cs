using System.Text;
using System.Text.RegularExpressions;

namespace Hangar.Tools;

/// <summary>Turns raw command output bytes into text a model should see.</summary>
internal static partial class TerminalText
{
    /// <summary>Decodes UTF-8 leniently, drops ANSI escape sequences (colours, cursor moves, OSC titles), normalizes CRLF.</summary>
    public static string Clean(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return Ansi().Replace(text, "").Replace("\r\n", "\n");
    }

    [GeneratedRegex(@"\x1B\][^\x07\x1B]*(?:\x07|\x1B\\)|\x1B\[[0-?]*[ -/]*[@-~]|\x1B[@-Z\\-_]")]
    private static partial Regex Ansi();
}
