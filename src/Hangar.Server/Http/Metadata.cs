using System.Text.Json.Nodes;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>Metadata maps: string → string, at most 16 keys (≤64 chars) with values ≤512 chars.</summary>
public static class Metadata
{
    public const int MaxKeys = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    /// <summary>Validates a metadata object given at creation; missing or null gives an empty map.</summary>
    public static JsonObject Create(JsonObject request, string name = "metadata") =>
        Patch(new JsonObject(), request, name);

    /// <summary>
    /// Applies an update: keys with a string value are set, keys with null (or "") are deleted,
    /// omitted keys kept; a missing or null <c>metadata</c> changes nothing.
    /// </summary>
    public static JsonObject Patch(JsonObject current, JsonObject request, string name = "metadata")
    {
        var patch = JsonFields.OptionalObject(request, name);
        var result = (JsonObject)current.DeepClone();
        if (patch is null)
        {
            return result;
        }
        foreach (var (key, value) in patch)
        {
            if (key.Length is 0 or > MaxKeyLength)
            {
                throw Invalid($"{name}: keys must be 1 to {MaxKeyLength} characters (got '{Truncate(key)}').");
            }
            if (value is null)
            {
                result.Remove(key);
                continue;
            }
            if (value.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                throw Invalid($"{name}.{Truncate(key)}: expected a string or null, got {JsonFields.Describe(value)}.");
            }
            var text = value.GetValue<string>();
            if (text.Length > MaxValueLength)
            {
                throw Invalid($"{name}.{Truncate(key)}: values are at most {MaxValueLength} characters (got {text.Length}).");
            }
            if (text.Length == 0)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = text;
            }
        }
        if (result.Count > MaxKeys)
        {
            throw Invalid($"{name}: at most {MaxKeys} keys are allowed (would have {result.Count}).");
        }
        return result;
    }

    private static InvalidRequestException Invalid(string message) => new(message, "invalid_metadata");

    private static string Truncate(string key) => key.Length > 20 ? key[..20] + "…" : key;
}
