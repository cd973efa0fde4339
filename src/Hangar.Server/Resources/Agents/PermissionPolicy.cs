using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>A tool's permission policy: <c>{"type":"always_allow"|"always_ask"|"auto"}</c> (a bare string is accepted too).</summary>
public static class PermissionPolicy
{
    public const string AlwaysAllow = "always_allow";
    public const string AlwaysAsk = "always_ask";
    private static readonly string[] Types = [AlwaysAllow, AlwaysAsk, "auto"];

    public static JsonObject Of(string type) => new() { ["type"] = type };

    /// <summary>The policy in <paramref name="node"/>, or null when it is missing/null.</summary>
    public static JsonObject? Parse(JsonNode? node, string path)
    {
        string? type = node switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonObject o => ReadObject(o, path),
            _ => throw new InvalidRequestException($"{path}: expected {{\"type\": \"always_allow\"|\"always_ask\"|\"auto\"}}, got {JsonFields.Describe(node)}."),
        };
        if (type is null)
        {
            return null;
        }
        return Types.Contains(type, StringComparer.Ordinal)
            ? Of(type)
            : throw new InvalidRequestException($"{path}.type: unknown policy '{type}'; expected one of: {string.Join(", ", Types)}.");
    }

    private static string ReadObject(JsonObject obj, string path)
    {
        JsonFields.RejectUnknown(obj, path, "type");
        return JsonFields.Discriminator(obj, path, Types);
    }
}
