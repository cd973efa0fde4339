using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// Typed reads of request fields with messages that name the field and what was wrong.
/// "Optional" readers return null both for a missing key and an explicit null; use
/// <see cref="Has"/> where the two differ (updates: null clears, missing keeps).
/// </summary>
public static class JsonFields
{
    public static bool Has(JsonObject obj, string name) => obj.ContainsKey(name);

    public static bool IsNull(JsonObject obj, string name) => obj.TryGetPropertyValue(name, out var v) && v is null;

    public static string RequiredString(JsonObject obj, string name, int maxLength, string path = "", int minLength = 1) =>
        OptionalString(obj, name, maxLength, path, minLength)
            ?? throw new InvalidRequestException($"{Path(path, name)}: Field required.");

    public static string? OptionalString(JsonObject obj, string name, int maxLength, string path = "", int minLength = 0)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw new InvalidRequestException($"{Path(path, name)}: expected a string, got {Describe(node)}.");
        }
        var text = value.GetValue<string>();
        if (text.Length < minLength)
        {
            throw new InvalidRequestException(minLength == 1
                ? $"{Path(path, name)}: must not be empty."
                : $"{Path(path, name)}: must be at least {minLength} characters.");
        }
        if (text.Length > maxLength)
        {
            throw new InvalidRequestException($"{Path(path, name)}: must be at most {maxLength} characters (got {text.Length}).");
        }
        return text;
    }

    public static bool? OptionalBool(JsonObject obj, string name, string path = "")
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidRequestException($"{Path(path, name)}: expected a boolean, got {Describe(node)}."),
        };
    }

    public static long? OptionalInteger(JsonObject obj, string name, long min, long max, string path = "")
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var number))
        {
            throw new InvalidRequestException($"{Path(path, name)}: expected an integer, got {Describe(node)}.");
        }
        if (number < min || number > max)
        {
            throw new InvalidRequestException($"{Path(path, name)}: must be between {min} and {max} (got {number}).");
        }
        return number;
    }

    public static JsonObject? OptionalObject(JsonObject obj, string name, string path = "")
    {
        var node = obj[name];
        return node switch
        {
            null => null,
            JsonObject o => o,
            _ => throw new InvalidRequestException($"{Path(path, name)}: expected an object, got {Describe(node)}."),
        };
    }

    public static JsonArray? OptionalArray(JsonObject obj, string name, int maxItems, string path = "")
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonArray array)
        {
            throw new InvalidRequestException($"{Path(path, name)}: expected an array, got {Describe(node)}.");
        }
        if (array.Count > maxItems)
        {
            throw new InvalidRequestException($"{Path(path, name)}: at most {maxItems} items are allowed (got {array.Count}).");
        }
        return array;
    }

    /// <summary>An optional array of strings (each 1..<paramref name="maxLength"/> chars); null when missing or null.</summary>
    public static List<string>? OptionalStringArray(JsonObject obj, string name, int maxItems, int maxLength, string path = "")
    {
        var array = OptionalArray(obj, name, maxItems, path);
        if (array is null)
        {
            return null;
        }
        var items = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var item = array[i];
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                throw new InvalidRequestException($"{Path(path, name)}[{i}]: expected a string, got {Describe(item)}.");
            }
            var text = value.GetValue<string>();
            if (text.Length == 0 || text.Length > maxLength)
            {
                throw new InvalidRequestException($"{Path(path, name)}[{i}]: must be 1 to {maxLength} characters.");
            }
            items.Add(text);
        }
        return items;
    }

    /// <summary>Reads the <c>type</c> discriminator of a union member and checks it is one of <paramref name="allowed"/>.</summary>
    public static string Discriminator(JsonObject obj, string path, params string[] allowed)
    {
        var type = OptionalString(obj, "type", 128, path)
            ?? throw new InvalidRequestException($"{Path(path, "type")}: Field required.");
        if (!allowed.Contains(type, StringComparer.Ordinal))
        {
            throw new InvalidRequestException(
                $"{Path(path, "type")}: unknown type '{type}'; expected one of: {string.Join(", ", allowed)}.");
        }
        return type;
    }

    /// <summary>Refuses keys the API does not define, so a misspelt option is not silently dropped.</summary>
    public static void RejectUnknown(JsonObject obj, string path, params string[] known)
    {
        foreach (var (key, _) in obj)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw new InvalidRequestException(
                    $"{Path(path, key)}: unknown field; expected only {string.Join(", ", known)}.");
            }
        }
    }

    public static string Path(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>A short description of a JSON value's kind for error messages.</summary>
    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
    };
}
