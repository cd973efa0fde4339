using System.Text.Json;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// Refuses request JSON that parsers disagree on or a database cannot store, before any field is
/// read: a key given twice in one object (which value wins differs between readers, so the check
/// and the use of a field could see different values), text that is not Unicode (a lone UTF-16
/// surrogate such as <c>\ud800</c>, or invalid UTF-8 bytes: reading it later threw and answered
/// 500), and NUL (<c>\u0000</c>), which PostgreSQL text and jsonb cannot hold. One pass of
/// <see cref="Utf8JsonReader"/> over the body; syntax and depth errors are left to the real parse.
/// </summary>
public static class JsonText
{
    public static void Validate(ReadOnlySpan<byte> json, int maxDepth = 64)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        var keys = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        keys.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var key = Text(ref reader);
                        if (keys.Peek() is { } seen && !seen.Add(key))
                        {
                            throw new InvalidRequestException($"The request body gives the key '{Shorten(key)}' twice in one object; give each key once.");
                        }
                        break;
                    case JsonTokenType.String:
                        Text(ref reader);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed or too deep: the parse that follows reports it with its position.
        }
    }

    private static string Text(ref Utf8JsonReader reader)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidRequestException(
                $"The request body has text that is not valid Unicode (a lone surrogate such as \\ud800, or invalid UTF-8) near byte {reader.TokenStartIndex}.");
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"The request body has a NUL character (\\u0000) near byte {reader.TokenStartIndex}; text may not contain NUL.");
        }
        return text;
    }

    private static string Shorten(string key) => key.Length > 40 ? key[..40] + "…" : key;
}
