using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Contracts.Serialization;

/// <summary>Timestamps as RFC 3339 UTC with milliseconds; any offset is accepted on read.</summary>
public sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new JsonException("expected an RFC 3339 timestamp such as 2026-04-08T12:00:00Z.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WireJson.Timestamp(value));
}
