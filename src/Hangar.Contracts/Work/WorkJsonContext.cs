using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Contracts.Work;

/// <summary>Source-generated JSON for the work protocol: snake_case, every key written (nulls too).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Work))]
[JsonSerializable(typeof(WorkHeartbeat))]
[JsonSerializable(typeof(WorkLeaseState))]
[JsonSerializable(typeof(WorkQueueStats))]
[JsonSerializable(typeof(WorkList))]
[JsonSerializable(typeof(WorkSecret))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class WorkJsonContext : JsonSerializerContext;

/// <summary>Timestamps as the wire wants them: RFC 3339 UTC with milliseconds (<c>2026-04-08T12:00:00.123Z</c>).</summary>
public sealed class WireTimestamp : JsonConverter<DateTimeOffset>
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a wire timestamp (any RFC 3339 offset); null when it is not one.</summary>
    public static DateTimeOffset? TryParse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TryParse(reader.GetString()) ?? throw new JsonException("Expected an RFC 3339 timestamp.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));
}
