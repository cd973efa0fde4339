using System.Text.RegularExpressions;

namespace Hangar.FakeModel;

/// <summary>How the fake cuts content into stream deltas ("tokens").</summary>
internal static partial class Chunks
{
    /// <summary>Characters per <c>input_json_delta</c>: small, so any real input arrives in several pieces.</summary>
    private const int JsonChunkLength = 6;

    /// <summary>Text and thinking: one chunk per word with its trailing whitespace.</summary>
    public static IReadOnlyList<string> OfText(string text)
    {
        var words = Word().Matches(text).Select(m => m.Value).ToList();
        return words.Count == 0 ? [text] : words;
    }

    /// <summary>Tool input JSON in fixed-size pieces, never splitting a surrogate pair.</summary>
    public static IReadOnlyList<string> OfJson(string json)
    {
        var pieces = new List<string>();
        var start = 0;
        while (start < json.Length)
        {
            var length = Math.Min(JsonChunkLength, json.Length - start);
            if (start + length < json.Length && char.IsHighSurrogate(json[start + length - 1]))
            {
                length++;
            }
            pieces.Add(json.Substring(start, length));
            start += length;
        }
        return pieces;
    }

    [GeneratedRegex(@"\S+\s*|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
