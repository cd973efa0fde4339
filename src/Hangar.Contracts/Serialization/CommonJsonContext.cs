using System.Text.Json.Serialization;

namespace Hangar.Contracts.Serialization;

/// <summary>Source-generated metadata of the shapes every family shares.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(Deleted))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
public sealed partial class CommonJsonContext : JsonSerializerContext;
