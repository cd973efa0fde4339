using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Contracts.Serialization;

/// <summary>
/// A request field whose absence differs from an explicit null, as in updates ("missing keeps,
/// null clears"). <c>default</c> is "not sent"; <see cref="Value"/> may be null when it was sent as null.
/// </summary>
[JsonConverter(typeof(OptionalConverterFactory))]
public readonly struct Optional<T>(T value)
{
    public bool IsSet { get; } = true;

    public T Value { get; } = value;

    /// <summary>True when the field was sent with a JSON <c>null</c>.</summary>
    public bool IsNull => IsSet && Value is null;

    public T Or(T fallback) => IsSet ? Value : fallback;

    public override string ToString() => IsSet ? $"{Value}" : "(not set)";
}

/// <summary>Reads <see cref="Optional{T}"/>: called only when the property is present, so any value (null too) sets it.</summary>
public sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null
                ? new Optional<T>(default!)
                : new Optional<T>(NestedJson.Deserialize<T>(ref reader, options)!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options)
        {
            if (value.IsSet && value.Value is not null)
            {
                JsonSerializer.Serialize(writer, value.Value, options.GetTypeInfo(typeof(T)));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
