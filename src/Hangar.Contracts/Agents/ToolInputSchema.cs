using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hangar.Contracts.Agents;

/// <summary>
/// The checks on a custom tool's <c>input_schema</c>. A JSON Schema is free-form, so it is walked
/// as a <see cref="JsonElement"/>: an object schema, no top-level combinators, no <c>$ref</c>.
/// </summary>
public static partial class ToolInputSchema
{
    public static void Validate(JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{path}: expected an object.");
        }
        var isObject = false;
        foreach (var keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "type":
                    isObject = keyword.Value is { ValueKind: JsonValueKind.String } type && type.ValueEquals("object");
                    break;
                case "oneOf" or "anyOf" or "allOf":
                    throw new InvalidRequestException($"{path}: '{keyword.Name}' is not allowed at the top level.");
                case "properties":
                    CheckPropertyNames(keyword.Value, $"{path}.properties");
                    break;
                case "required" when keyword.Value.ValueKind != JsonValueKind.Array:
                    throw new InvalidRequestException($"{path}.required: expected an array.");
            }
        }
        if (!isObject)
        {
            throw new InvalidRequestException($"{path}.type: must be \"object\".");
        }
        if (ContainsRef(schema))
        {
            throw new InvalidRequestException($"{path}: '$ref' is not supported; inline the definitions.");
        }
    }

    private static void CheckPropertyNames(JsonElement properties, string path)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{path}: expected an object.");
        }
        foreach (var property in properties.EnumerateObject())
        {
            if (!PropertyName().IsMatch(property.Name))
            {
                throw new InvalidRequestException($"{path}: '{property.Name}' must be 1–64 of letters, digits, '_', '.', '-'.");
            }
        }
    }

    private static bool ContainsRef(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name == "$ref" || ContainsRef(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(ContainsRef),
        _ => false,
    };

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex PropertyName();
}
