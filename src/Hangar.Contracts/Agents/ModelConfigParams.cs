using System.Text.Json.Serialization;
using Hangar.Contracts.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>An agent's <c>model</c> as sent: a model id string or <see cref="ModelConfigParams"/>.</summary>
[JsonConverter(typeof(Converter))]
public sealed record ModelParams(ModelConfigParams Config)
{
    /// <summary>
    /// The stored config. On an agent update <paramref name="current"/> is the stored config: the new
    /// object replaces it, except that an omitted <c>effort</c> keeps the current one.
    /// </summary>
    public ModelConfig Validate(string path, ModelConfig? current = null) => Config.Validate(path, current);

    public sealed class Converter : ShorthandConverter<ModelParams, ModelConfigParams>
    {
        protected override string Expected => "a model id string or an object";

        protected override ModelParams FromString(string value) => new(new ModelConfigParams(value, null, null, null));

        protected override ModelParams FromBody(ModelConfigParams body) => new(body);

        protected override ModelConfigParams ToBody(ModelParams value) => value.Config;
    }
}

/// <summary>The object form of a model: <c>{id, effort?, speed?, inference_geo?}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelConfigParams(string? Id, EffortParams? Effort, string? Speed, string? InferenceGeo)
{
    public ModelConfig Validate(string path, ModelConfig? current)
    {
        var id = Check.Required(Id, $"{path}.id", 256);
        var effort = Effort?.Validate($"{path}.effort") ?? current?.Effort.Type ?? ModelConfig.DefaultEffort;
        var speed = Check.OneOf(Speed ?? "standard", $"{path}.speed", ModelConfig.Speeds);
        if (InferenceGeo is { Length: 0 })
        {
            throw new InvalidRequestException($"{path}.inference_geo: must not be empty.");
        }
        return new ModelConfig(id, new Effort(effort), speed) { InferenceGeo = Check.Length(InferenceGeo, $"{path}.inference_geo", 64) };
    }
}

/// <summary>Effort as sent: <c>"high"</c> or <c>{"type":"high"}</c>.</summary>
[JsonConverter(typeof(Converter))]
public sealed record EffortParams(string? Level)
{
    public string Validate(string path) => Check.OneOf(Level, Level is null ? $"{path}.type" : path, ModelConfig.EffortLevels);

    public sealed class Converter : ShorthandConverter<EffortParams, TypeParams>
    {
        protected override string Expected => "a level or {\"type\": level}";

        protected override EffortParams FromString(string value) => new(value);

        protected override EffortParams FromBody(TypeParams body) => new(body.Type);

        protected override TypeParams ToBody(EffortParams value) => new(value.Level);
    }
}
