using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hangar.Contracts.Serialization;

/// <summary>
/// Reads request bodies into their records. This is the one place where System.Text.Json's
/// syntax, type, unknown-field and discriminator errors become the API's 400, each naming the
/// field path (<c>tools[0].name</c>) the way the hand-written validation does.
/// </summary>
public static partial class RequestJson
{
    /// <summary>A whole request body (a JSON object) as <typeparamref name="T"/>.</summary>
    public static T Read<T>(ReadOnlySpan<byte> utf8) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, WireJson.Info<T>())
                ?? throw new InvalidRequestException("The request body must be a JSON object, not null.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw Translate(e, "");
        }
    }

    /// <summary>
    /// One field of a request already parsed as JSON (during the move to records), with error paths
    /// under <paramref name="path"/>; null when the field is missing or null.
    /// </summary>
    public static T? Read<T>(JsonNode? node, string path)
    {
        if (node is null)
        {
            return default;
        }
        try
        {
            return node.Deserialize(WireJson.Info<T>());
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw Translate(e, path);
        }
    }

    private static InvalidRequestException Translate(Exception e, string prefix)
    {
        if (e is NestedJsonException nested)
        {
            return Translate(nested.InnerException!, Join(prefix, nested.Path ?? "$", allowEmpty: true));
        }
        if (e is NotSupportedException)
        {
            // A union member without its "type": STJ reports the path only inside the message.
            var at = MessagePath().Match(e.Message) is { Success: true } m ? m.Groups[1].Value : "$";
            return new InvalidRequestException($"{Join(prefix, at, "type")}: Field required.");
        }
        var json = (JsonException)e;
        var path = json.Path ?? "$";
        var message = json.Message;
        if (json.InnerException is JsonException syntax)
        {
            return new InvalidRequestException($"The request body is not valid JSON ({syntax.Message}).");
        }
        if (json.InnerException is InvalidOperationException or FormatException)
        {
            return new InvalidRequestException($"{Join(prefix, path)}: {Lower(json.InnerException.Message)}");
        }
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return new InvalidRequestException($"{Join(prefix, path)}: unknown field; see the API reference for this object's fields.");
        }
        if (UnknownDiscriminator().Match(message) is { Success: true } unknown)
        {
            return new InvalidRequestException($"{Join(prefix, path, "type")}: unknown type '{unknown.Groups[1].Value}'.");
        }
        if (WrongKind().Match(message) is { Success: true } wrong)
        {
            return path == "$" && prefix.Length == 0
                ? new InvalidRequestException("The request body must be a JSON object.")
                : new InvalidRequestException($"{Join(prefix, path)}: expected {Describe(wrong.Groups[1].Value)}.");
        }
        // A message written by a wire converter or a record: already says what is wrong.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return new InvalidRequestException($"{Join(prefix, path)}: {(cut < 0 ? message : message[..cut])}");
    }

    /// <summary><c>$.tools[0].name</c> under prefix <c>agent</c> → <c>agent.tools[0].name</c>.</summary>
    private static string Join(string prefix, string jsonPath, string? field = null, bool allowEmpty = false)
    {
        var rest = jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
        var path = (prefix + rest).TrimStart('.');
        return field is null ? (path.Length == 0 && !allowEmpty ? "body" : path) : (path.Length == 0 ? field : $"{path}.{field}");
    }

    private static string Describe(string clrType) => clrType switch
    {
        "System.String" => "a string",
        "System.Boolean" => "a boolean",
        "System.Int32" or "System.Int64" => "an integer",
        _ when clrType.Contains("List`1", StringComparison.Ordinal) || clrType.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };

    private static string Lower(string message) =>
        message.Length == 0 ? message : char.ToLowerInvariant(message[0]) + message[1..];

    [GeneratedRegex(@"Path: (\$[^ ]*) \|")]
    private static partial Regex MessagePath();

    [GeneratedRegex("unrecognized type discriminator id '([^']*)'")]
    private static partial Regex UnknownDiscriminator();

    [GeneratedRegex(@"^The JSON value could not be converted to ([^ ]+)\. Path:")]
    private static partial Regex WrongKind();
}
