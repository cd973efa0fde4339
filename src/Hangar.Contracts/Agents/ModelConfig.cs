using System.Text.Json.Serialization;

namespace Hangar.Contracts.Agents;

/// <summary>
/// An agent's model as answered: always the object, effort in object form, because the C# SDK
/// reads only that shape. <c>inference_geo</c> is written only when set (omitting it clears it).
/// </summary>
public sealed record ModelConfig(string Id, Effort Effort, string Speed)
{
    public static readonly string[] EffortLevels = ["low", "medium", "high", "xhigh", "max"];
    public static readonly string[] Speeds = ["standard", "fast"];

    /// <summary>The effort stored when none is given (the SDK documents effort as always present).</summary>
    public const string DefaultEffort = "high";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InferenceGeo { get; init; }
}

/// <summary>Reasoning effort, <c>{"type":"high"}</c>.</summary>
public sealed record Effort(string Type);
