using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Tools;

/// <summary>Typed access to a tool call's input JSON; wrong shapes become <see cref="ToolInputException"/>.</summary>
public sealed class ToolInput(string toolName, JsonObject input)
{
    public string RequiredString(string name) =>
        OptionalString(name) ?? throw new ToolInputException($"{toolName}: missing required field '{name}' (string)");

    public string? OptionalString(string name)
    {
        var node = input[name];
        if (node is null)
            return null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            return value.GetValue<string>();
        throw new ToolInputException($"{toolName}: field '{name}' must be a string");
    }

    public bool OptionalBool(string name)
    {
        var node = input[name];
        if (node is null)
            return false;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ToolInputException($"{toolName}: field '{name}' must be a boolean"),
        };
    }

    public long? OptionalInteger(string name)
    {
        var node = input[name];
        if (node is null)
            return null;
        return AsInteger(node) ?? throw new ToolInputException($"{toolName}: field '{name}' must be an integer");
    }

    /// <summary>An optional array of exactly <paramref name="length"/> integers (e.g. view_range).</summary>
    public long[]? OptionalIntegerArray(string name, int length)
    {
        var node = input[name];
        if (node is null)
            return null;
        if (node is not JsonArray array || array.Count != length)
            throw new ToolInputException($"{toolName}: field '{name}' must be an array of {length} integers");
        var result = new long[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = AsInteger(array[i])
                ?? throw new ToolInputException($"{toolName}: field '{name}' must be an array of {length} integers");
        }
        return result;
    }

    /// <summary>Whole JSON numbers (models sometimes send <c>5.0</c>) as integers; anything else null.</summary>
    private static long? AsInteger(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
            return null;
        if (value.TryGetValue(out long whole))
            return whole;
        if (value.TryGetValue(out double real) && real == Math.Floor(real) && Math.Abs(real) < 9e15)
            return (long)real;
        return null;
    }
}
