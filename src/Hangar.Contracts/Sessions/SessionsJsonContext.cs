using System.Text.Json.Serialization;

namespace Hangar.Contracts.Sessions;

/// <summary>Source-generated metadata of the sessions family (the session resource, not its events).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(SessionAgent))]
public sealed partial class SessionsJsonContext : JsonSerializerContext;
