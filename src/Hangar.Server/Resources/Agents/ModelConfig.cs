using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// An agent's <c>model</c>: accepted as a model id string or <c>{id, effort?, speed?, inference_geo?}</c>
/// (effort as <c>"high"</c> or <c>{"type":"high"}</c>); always answered as the object with effort in
/// object form, because the C# SDK reads only that shape.
/// </summary>
public static class ModelConfig
{
    public static readonly string[] EffortLevels = ["low", "medium", "high", "xhigh", "max"];
    public static readonly string[] Speeds = ["standard", "fast"];

    /// <summary>The effort stored when none is given (the SDK documents effort as always present).</summary>
    public const string DefaultEffort = "high";

    /// <summary>
    /// Parses a request's model. On update <paramref name="current"/> is the stored config: the new
    /// object replaces it, except that an omitted <c>effort</c> keeps the current one.
    /// <paramref name="pathPrefix"/> prefixes error paths (sessions pass "agent").
    /// </summary>
    public static JsonObject Parse(JsonNode? node, JsonObject? current = null, string pathPrefix = "")
    {
        var path = JsonFields.Path(pathPrefix, "model");
        JsonObject request = node switch
        {
            null => throw new InvalidRequestException($"{path}: Field required; give a model id such as \"claude-sonnet-4-6\"."),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => new JsonObject { ["id"] = v.GetValue<string>() },
            JsonObject o => o,
            _ => throw new InvalidRequestException($"{path}: expected a model id string or an object, got {JsonFields.Describe(node)}."),
        };
        JsonFields.RejectUnknown(request, path, "id", "effort", "speed", "inference_geo");
        var id = JsonFields.RequiredString(request, "id", 256, path);
        var effort = ParseEffort(request["effort"], JsonFields.Path(path, "effort")) ?? (string?)current?["effort"]?["type"] ?? DefaultEffort;
        var speed = JsonFields.OptionalString(request, "speed", 32, path) ?? "standard";
        if (!Speeds.Contains(speed, StringComparer.Ordinal))
        {
            throw new InvalidRequestException($"{path}.speed: expected one of {string.Join(", ", Speeds)} (got '{speed}').");
        }
        var config = new JsonObject
        {
            ["id"] = id,
            ["effort"] = new JsonObject { ["type"] = effort },
            ["speed"] = speed,
        };
        if (JsonFields.OptionalString(request, "inference_geo", 64, path, minLength: 1) is { } geo)
        {
            config["inference_geo"] = geo;
        }
        return config;
    }

    private static string? ParseEffort(JsonNode? node, string path)
    {
        var level = node switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonObject o => JsonFields.Discriminator(o, path, EffortLevels),
            _ => throw new InvalidRequestException($"{path}: expected a level or {{\"type\": level}}, got {JsonFields.Describe(node)}."),
        };
        if (level is not null && !EffortLevels.Contains(level, StringComparer.Ordinal))
        {
            throw new InvalidRequestException($"{path}: expected one of {string.Join(", ", EffortLevels)} (got '{level}').");
        }
        return level;
    }
}
