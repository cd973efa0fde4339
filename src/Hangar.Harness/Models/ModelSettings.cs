using System.Text.Json.Nodes;

namespace Hangar.Harness.Models;

/// <summary>
/// Puts the agent's <c>model</c> settings into the request body, in the Messages API's own fields
/// (the provider-neutral format; other providers translate or ignore them, docs/models.md):
/// <c>effort</c> → <c>output_config.effort</c>, <c>speed</c> → <c>speed</c>, <c>inference_geo</c> →
/// <c>inference_geo</c>. A setting equal to the API's default is left out, so a model that does not
/// know the field is not refused over a value nobody chose (the stored effort is always present:
/// <c>high</c> when the agent named none, which is the API's own default).
/// </summary>
public static class ModelSettings
{
    public const string DefaultEffort = "high";
    public const string DefaultSpeed = "standard";

    /// <summary>The beta some models need before they take <c>speed</c>.</summary>
    public const string FastModeBeta = "fast-mode-2026-02-01";

    /// <param name="agent">The session's resolved agent (its <c>model</c> object, or a bare id from older rows).</param>
    public static ModelRequest Apply(ModelRequest request, JsonObject agent)
    {
        if (agent["model"] is not JsonObject model)
        {
            return request;
        }
        var body = request.Body;
        if (EffortOf(model) is { } effort && effort != DefaultEffort)
        {
            var output = body["output_config"] as JsonObject ?? [];
            output["effort"] = effort;
            body["output_config"] = output;
        }
        if ((string?)model["speed"] is { } speed && speed != DefaultSpeed)
        {
            body["speed"] = speed;
        }
        if ((string?)model["inference_geo"] is { Length: > 0 } geo)
        {
            body["inference_geo"] = geo;
        }
        return request;
    }

    /// <summary>The effort level of a stored model config (<c>{"type":"high"}</c>, or a bare level).</summary>
    public static string? EffortOf(JsonObject model) => model["effort"] switch
    {
        JsonObject o => (string?)o["type"],
        JsonValue v when v.TryGetValue<string>(out var level) => level,
        _ => null,
    };

    /// <summary>The effort a request asks for (<c>output_config.effort</c>), or null for the provider's default.</summary>
    public static string? RequestedEffort(JsonObject body) => (string?)body["output_config"]?["effort"];
}
