using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hangar.Contracts.Agents;
using Hangar.Contracts.Sessions;

namespace Hangar.Contracts.Serialization;

/// <summary>
/// JSON as the wire contract wants it: snake_case, nulls written out (clients require the keys),
/// timestamps RFC 3339 UTC with milliseconds, <c>type</c> discriminators accepted anywhere in an
/// object. Every family's source-generated context is composed here, so the server, the harness
/// and the log all read and write the same shapes with the same options.
/// </summary>
public static class WireJson
{
    /// <summary>The source-generated metadata of every wire family; a new family adds its context here.</summary>
    public static IJsonTypeInfoResolver Resolver { get; } = JsonTypeInfoResolver.Combine(
        CommonJsonContext.Default,
        AgentsJsonContext.Default,
        SessionsJsonContext.Default);

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions());

    /// <summary>Applies the wire settings to <paramref name="options"/> (e.g. ASP.NET Core's HTTP JSON options).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.AllowOutOfOrderMetadataProperties = true;
        options.Converters.Add(new TimestampConverter());
        options.TypeInfoResolverChain.Insert(0, Resolver);
        return options;
    }

    /// <summary>The metadata of a wire type under <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Info<T>());

    /// <summary>Reads JSON this server wrote (stored resources): a failure is a bug, not a client error.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize(json, Info<T>()) ?? throw new JsonException($"Stored JSON for {typeof(T).Name} is null.");

    /// <summary>The wire form of a timestamp: <c>2026-04-08T12:00:00.123Z</c>.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
