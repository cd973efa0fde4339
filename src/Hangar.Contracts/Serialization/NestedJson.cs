using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hangar.Contracts.Serialization;

/// <summary>
/// Deserialization of a value inside a converter. System.Text.Json reports a failure in such a
/// nested call with a path relative to the nested value (<c>$.id</c>); wrapping it lets the outer
/// call record where the value was (<c>$.model</c>), and <see cref="RequestJson"/> joins the two.
/// </summary>
public static class NestedJson
{
    public static T? Deserialize<T>(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new NestedJsonException(e);
        }
    }
}

/// <summary>A failure inside a nested value; its <see cref="JsonException.Path"/> is where that value is.</summary>
public sealed class NestedJsonException(Exception inner) : JsonException(null, inner);
