using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// A client-executed tool: <c>{type:"custom", name, description, input_schema}</c>. Names are
/// 1–128 of <c>[A-Za-z0-9_-]</c>, may not shadow a built-in tool or use the <c>mcp__</c> prefix.
/// </summary>
public static partial class CustomTool
{
    public static JsonObject Normalise(JsonObject tool, string path)
    {
        JsonFields.RejectUnknown(tool, path, "type", "name", "description", "input_schema");
        var name = JsonFields.RequiredString(tool, "name", 128, path);
        if (!Name().IsMatch(name))
        {
            throw new InvalidRequestException($"{path}.name: '{name}' may only contain letters, digits, '_' and '-'.");
        }
        if (AgentToolset.ToolNames.Contains(name, StringComparer.Ordinal) || name.StartsWith("mcp__", StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"{path}.name: '{name}' is reserved for a built-in or MCP tool.");
        }
        var description = JsonFields.RequiredString(tool, "description", 1024, path);
        var schema = JsonFields.OptionalObject(tool, "input_schema", path)
            ?? throw new InvalidRequestException($"{path}.input_schema: Field required.");
        ValidateSchema(schema, $"{path}.input_schema");
        return new JsonObject
        {
            ["type"] = "custom",
            ["name"] = name,
            ["description"] = description,
            ["input_schema"] = schema.DeepClone(),
        };
    }

    private static void ValidateSchema(JsonObject schema, string path)
    {
        if ((string?)schema["type"] != "object")
        {
            throw new InvalidRequestException($"{path}.type: must be \"object\".");
        }
        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.ContainsKey(keyword))
            {
                throw new InvalidRequestException($"{path}: '{keyword}' is not allowed at the top level.");
            }
        }
        if (ContainsRef(schema))
        {
            throw new InvalidRequestException($"{path}: '$ref' is not supported; inline the definitions.");
        }
        var properties = JsonFields.OptionalObject(schema, "properties", path);
        foreach (var (property, _) in properties ?? [])
        {
            if (!PropertyName().IsMatch(property))
            {
                throw new InvalidRequestException($"{path}.properties: '{property}' must be 1–64 of letters, digits, '_', '.', '-'.");
            }
        }
        if (schema["required"] is { } required and not JsonArray)
        {
            throw new InvalidRequestException($"{path}.required: expected an array, got {JsonFields.Describe(required)}.");
        }
    }

    private static bool ContainsRef(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => p.Key == "$ref" || ContainsRef(p.Value)),
        JsonArray array => array.Any(ContainsRef),
        _ => false,
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex PropertyName();
}
